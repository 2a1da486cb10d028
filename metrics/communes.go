package metrics

import (
	"context"
	"fmt"

	"github.com/egovkpi/egovkpi/data"
)

// CommuneReportingSource says which provinces expect their communes to report, and
// from which month; *data.Store is one. A source without it expects no commune.
type CommuneReportingSource interface {
	CommuneReporting(ctx context.Context) (map[string]data.Month, error)
}

// communeReporting is the provinces whose communes report, by the first month they do.
func (e *Engine) communeReporting(ctx context.Context) (map[string]data.Month, error) {
	src, ok := e.src.(CommuneReportingSource)
	if !ok {
		return nil, nil
	}
	return cached(e, "commune-reporting", func() (map[string]data.Month, error) { return src.CommuneReporting(ctx) })
}

// expectedUnits are the units of group g expected to report for month m: those in force,
// and for communes only those of provinces that turned commune reporting on by m, so
// that 3,321 communes nobody asked to report hold up neither completeness nor the
// closed month.
func (e *Engine) expectedUnits(ctx context.Context, g data.Group, m data.Month) ([]data.Unit, error) {
	reg := e.src.Units()
	if g != data.Communes {
		return reg.InForce(g, m), nil
	}
	on, err := e.communeReporting(ctx)
	if err != nil {
		return nil, err
	}
	var out []data.Unit
	for _, p := range reg.InForce(data.Provinces, m) {
		if from, ok := on[p.Code]; ok && from <= m {
			out = append(out, reg.Communes(p.Code, m)...)
		}
	}
	return out, nil
}

// checkCommuneFilters refuses a province or a type outside a ranking of communes, and
// ones that do not exist.
func (e *Engine) checkCommuneFilters(q RankingQuery) error {
	if q.Province == "" && q.Type == "" {
		return nil
	}
	if q.Group != data.Communes {
		return data.Errorf(data.ErrInvalid, "province và type chỉ dùng với group=communes", "province and type apply to group=communes only")
	}
	if q.Province != "" {
		if p, ok := e.src.Units().Latest(q.Province); !ok || p.Group != data.Provinces || !p.ValidTo.IsZero() {
			return data.Errorf(data.ErrNotFound, "Không có tỉnh mã %q", "No province with code %q", q.Province)
		}
	}
	switch q.Type {
	case "", "xa", "phuong", "dac_khu":
		return nil
	}
	return data.Errorf(data.ErrInvalid, "Loại %q không có: dùng xa, phuong hoặc dac_khu", "No type %q: use xa, phuong or dac_khu", q.Type)
}

// rankQuery is rank for any group: communes are summed by their codes (they are not in
// the units table, and keep their codes when renamed), one indicator at a time.
func (e *Engine) rankQuery(ctx context.Context, in Indicator, p data.Period, q RankingQuery) (*Ranking, error) {
	if q.Group != data.Communes {
		return e.rank(ctx, in, p, q.Group, q.Boundaries)
	}
	units := e.communes(q, p)
	var sums unitSums
	if p.From == p.To {
		// a month: the 12 before it come in the same query, for the previous rank and
		// the outliers that Rankings asks for next
		months, err := e.communeMonths(ctx, in, q, units, p.To, p.To.Add(-12))
		if err != nil {
			return nil, err
		}
		sums = months[p.To]
	} else {
		spans, err := e.communeSums(ctx, in, q, units, p.From, p.To, false)
		if err != nil {
			return nil, err
		}
		sums = spans[0]
	}
	r := rankSums(ratioIndicator(in), p, q.Group, q.Boundaries, units, sums)
	r.Def = in
	r.Province, r.Type = q.Province, q.Type
	byCode := make(map[string]data.Unit, len(units))
	for _, u := range units {
		byCode[u.Code] = u
	}
	for i := range r.Rows {
		u := byCode[r.Rows[i].UnitCode]
		r.Rows[i].UnitParent, r.Rows[i].UnitType = u.Parent, u.Type
	}
	return r, nil
}

// The keys under which communeSums keeps an indicator's summed numerator and
// denominator; no measure code starts with a NUL.
const numKey, denKey = "\x00num", "\x00den"

// ratioIndicator is in reading its numerator and denominator from communeSums' keys.
func ratioIndicator(in Indicator) Indicator {
	in.Numerator, in.Denominator = []string{numKey}, []string{denKey}
	return in
}

// monthlyQuery is monthly for any group; for communes, the sums of in's measures, to be
// read with ratioIndicator(in).
func (e *Engine) monthlyQuery(ctx context.Context, in Indicator, q RankingQuery, from, to data.Month) (map[data.Month]unitSums, error) {
	if q.Group != data.Communes {
		return e.monthly(ctx, q.Group, from, to, q.Boundaries)
	}
	return e.communeMonths(ctx, in, q, e.communes(q, data.MonthPeriod(to)), to, from)
}

// communeMonths is communeSums by month for the months from..to, each month cached on its
// own: what is missing is read in one query reaching back to fetchFrom at most, so that a
// month's ranking, its previous month's and its outliers cost one query, not three.
func (e *Engine) communeMonths(ctx context.Context, in Indicator, q RankingQuery, units []data.Unit, to, fetchFrom data.Month) (map[data.Month]unitSums, error) {
	return e.communeMonthSpan(ctx, in, q, units, min(fetchFrom, to), to, fetchFrom)
}

func (e *Engine) communeMonthSpan(ctx context.Context, in Indicator, q RankingQuery, units []data.Unit, from, to, fetchFrom data.Month) (map[data.Month]unitSums, error) {
	version := e.src.DataVersion()
	var unitsAt data.Month // the units listed depend on the month only with historical boundaries
	if q.Boundaries == Historical {
		unitsAt = to
	}
	key := func(m data.Month) string {
		return fmt.Sprintf("cmonth|%v|%v|%s|%s|%s|%d|%d", in.Numerator, in.Denominator, q.Province, q.Type, q.Boundaries, unitsAt, m)
	}
	out := map[data.Month]unitSums{}
	var missing []data.Month
	e.mu.Lock()
	for m := from; m <= to; m++ {
		if v, ok := e.cache[key(m)].(unitSums); ok && e.version == version {
			out[m] = v
		} else {
			missing = append(missing, m)
		}
	}
	e.mu.Unlock()
	if len(missing) == 0 {
		return out, nil
	}
	lo, hi := min(missing[0], fetchFrom), missing[len(missing)-1]
	got, err := e.communeSums(ctx, in, q, units, lo, hi, true)
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for m := lo; m <= hi; m++ {
		v := got[m]
		if v == nil {
			v = unitSums{}
		}
		if m >= from {
			out[m] = v
		}
		if e.version == version {
			e.cache[key(m)] = v
		}
	}
	return out, nil
}

// communes are the communes a ranking lists: as they are now (current boundaries) or in
// the period's last month (historical), of one province and one type if asked.
func (e *Engine) communes(q RankingQuery, p data.Period) []data.Unit {
	reg := e.src.Units()
	at := p.To
	if q.Boundaries != Historical {
		at = data.NewMonth(2100, 1) // the units in force now: a renamed commune as it is named now
	}
	var all []data.Unit
	if q.Province != "" {
		all = reg.Communes(q.Province, at)
	} else {
		all = reg.InForce(data.Communes, at)
	}
	if q.Type == "" {
		return all
	}
	var out []data.Unit
	for _, u := range all {
		if u.Type == q.Type {
			out = append(out, u)
		}
	}
	return out
}

// RatioSource sums an indicator's measures for units outside the units table, by their
// codes; *data.Store is one.
type RatioSource interface {
	RatioSumsOf(ctx context.Context, codes, num, den []string, from, to data.Month, byMonth bool) ([]data.RatioSum, error)
}

// communeSums sums in's numerator and denominator for the units over the span (keyed by
// month with byMonth, else under the zero month), once per indicator, province, type and
// span. Units are determined by q and to, so the key names them.
func (e *Engine) communeSums(ctx context.Context, in Indicator, q RankingQuery, units []data.Unit, from, to data.Month, byMonth bool) (map[data.Month]unitSums, error) {
	key := fmt.Sprintf("csums|%v|%v|%s|%s|%s|%d|%d|%v", in.Numerator, in.Denominator, q.Province, q.Type, q.Boundaries, from, to, byMonth)
	return cached(e, key, func() (map[data.Month]unitSums, error) {
		out := map[data.Month]unitSums{}
		src, ok := e.src.(RatioSource)
		if !ok {
			return out, nil
		}
		codes := make([]string, len(units))
		for i, u := range units {
			codes[i] = u.Code
		}
		rows, err := src.RatioSumsOf(ctx, codes, in.Numerator, in.Denominator, from, to, byMonth)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			if out[r.Month] == nil {
				out[r.Month] = unitSums{}
			}
			m := map[string]int64{}
			if r.HasNum {
				m[numKey] = r.Num
			}
			if r.HasDen {
				m[denKey] = r.Den
			}
			out[r.Month][r.Unit] = m
		}
		return out, nil
	})
}

// ReportMonthsSource lists the months some units reported; *data.Store is one.
type ReportMonthsSource interface {
	ReportMonths(ctx context.Context, codes []string, from, to data.Month) (map[string][]data.Month, error)
}

// CommuneRow is one commune on its province's leaderboard: its place on the indicator and
// how complete its data is.
type CommuneRow struct {
	Row
	Type string `json:"type"`
	// MonthsReported of MonthsExpected: the months with a report among the 12 ending at
	// the board's month (fewer when the communes are younger: they exist from 2025-07).
	MonthsReported int      `json:"months_reported"`
	MonthsExpected int      `json:"months_expected"`
	Completeness   *float64 `json:"completeness"` // %
	ReportedMonth  bool     `json:"reported_month"`
	// Bar is the value as a share of the board's largest, for a bar drawn without a
	// chart library (no commune outlines exist offline, so tables and bars only).
	Bar float64 `json:"-"`
}

// CommuneBoard is a province's communes ranked on one indicator for one month.
type CommuneBoard struct {
	Province  string       `json:"province"`
	Indicator string       `json:"indicator"`
	Period    string       `json:"period"`
	Expected  bool         `json:"expected"` // the province expects its communes to report
	Reported  int          `json:"reported"` // communes with a report for the month
	Rows      []CommuneRow `json:"rows"`
	National  National     `json:"total"` // the sum over the province's communes
	Def       Indicator    `json:"-"`
}

// CommuneBoard ranks province's communes on indicator for month m, with the completeness
// of each one's data.
func (e *Engine) CommuneBoard(ctx context.Context, province, indicator string, m data.Month) (*CommuneBoard, error) {
	r, err := e.Rankings(ctx, RankingQuery{Indicator: indicator, Period: data.MonthPeriod(m), Group: data.Communes, Boundaries: Current, Province: province})
	if err != nil {
		return nil, err
	}
	from := max(m.Add(-11), data.NewMonth(2025, 7))
	key := fmt.Sprintf("cmonths|%s|%d|%d", province, from, m)
	months, err := cached(e, key, func() (map[string]map[data.Month]bool, error) {
		out := map[string]map[data.Month]bool{}
		add := func(unit string, mo data.Month) {
			if out[unit] == nil {
				out[unit] = map[data.Month]bool{}
			}
			out[unit][mo] = true
		}
		codes := make([]string, len(r.Rows))
		for i, row := range r.Rows {
			codes[i] = row.UnitCode
		}
		if src, ok := e.src.(ReportMonthsSource); ok {
			got, err := src.ReportMonths(ctx, codes, from, m)
			for u, ms := range got {
				for _, mo := range ms {
					add(u, mo)
				}
			}
			return out, err
		}
		times, err := e.src.ReportTimes(ctx, from, m)
		for _, t := range times {
			add(t.Unit, t.Month)
		}
		return out, err
	})
	if err != nil {
		return nil, err
	}
	on, err := e.communeReporting(ctx)
	if err != nil {
		return nil, err
	}
	start, ok := on[province]
	b := &CommuneBoard{Province: province, Indicator: indicator, Period: m.String(), Expected: ok && start <= m, National: r.National, Def: r.Def}
	for _, row := range r.Rows {
		cr := CommuneRow{Row: row, Type: row.UnitType, MonthsExpected: int(m-from) + 1, ReportedMonth: months[row.UnitCode][m]}
		cr.MonthsReported = len(months[row.UnitCode])
		if cr.MonthsExpected > 0 {
			v := round(float64(cr.MonthsReported)/float64(cr.MonthsExpected)*100, 1)
			cr.Completeness = &v
		}
		if cr.ReportedMonth {
			b.Reported++
		}
		b.Rows = append(b.Rows, cr)
	}
	top := 0.0
	for _, r := range b.Rows {
		if r.Value != nil {
			top = max(top, *r.Value)
		}
	}
	for i, r := range b.Rows {
		if r.Value != nil && top > 0 {
			b.Rows[i].Bar = round(*r.Value/top*100, 1)
		}
	}
	return b, nil
}

// AgencySource lists a province's own agencies (sở, ban, ngành), which live in the
// database rather than the registry; *data.Store is one.
type AgencySource interface {
	ProvinceAgencies(ctx context.Context, province string) ([]data.Agency, error)
}

// AgencyBoard ranks province's own agencies on indicator for month m, from the records
// tagged with their codes (01-SNV); the province's figures already count them. Agencies
// are ranked only among their province's: there is no national list to rank them in.
// A source that keeps no agencies gives an empty board.
func (e *Engine) AgencyBoard(ctx context.Context, province, indicator string, m data.Month) (*Ranking, error) {
	in, ok := e.defs.Indicator(indicator)
	if !ok {
		return nil, e.unknownIndicator(indicator)
	}
	p := data.MonthPeriod(m)
	src, ok := e.src.(AgencySource)
	if !ok {
		return rankSums(in, p, data.Agencies, Current, nil, nil), nil
	}
	agencies, err := src.ProvinceAgencies(ctx, province)
	if err != nil {
		return nil, err
	}
	units := make([]data.Unit, len(agencies))
	for i, a := range agencies {
		units[i] = a.Unit()
	}
	codes := make([]string, len(units))
	for i, u := range units {
		codes[i] = u.Code
	}
	key := fmt.Sprintf("agencies|%s|%v|%v|%d|%v", province, in.Numerator, in.Denominator, m, codes)
	sums, err := cached(e, key, func() (unitSums, error) {
		out := unitSums{}
		rs, ok := e.src.(RatioSource)
		if !ok || len(codes) == 0 {
			return out, nil
		}
		rows, err := rs.RatioSumsOf(ctx, codes, in.Numerator, in.Denominator, m, m, false)
		for _, r := range rows {
			v := map[string]int64{}
			if r.HasNum {
				v[numKey] = r.Num
			}
			if r.HasDen {
				v[denKey] = r.Den
			}
			out[r.Unit] = v
		}
		return out, err
	})
	if err != nil {
		return nil, err
	}
	r := rankSums(ratioIndicator(in), p, data.Agencies, Current, units, sums)
	r.Def, r.Province = in, province
	return r, nil
}
