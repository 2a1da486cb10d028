package dashboard

import (
	"context"
	"math"
	"net/http"

	"github.com/go-echarts/go-echarts/v2/opts"
	"github.com/labstack/echo/v4"

	"github.com/egovkpi/egovkpi/data"
	"github.com/egovkpi/egovkpi/metrics"
)

type unitIndicator struct {
	Def   metrics.Indicator
	Row   metrics.Row
	Chart string
}

type unitData struct {
	Unit         data.Unit
	Month        data.Month
	Predecessors []data.Unit
	Indicators   []unitIndicator
	Composite    *metrics.CompositeRow
	Maturity     *metrics.MaturityRow
	Indices      []metrics.IndexResult
	Submissions  []data.Submission
	// Late is the month's late dossiers, when the unit's dossier rows are kept.
	Late *data.LateDossiers
	// MoreProcedures is how many procedures with late dossiers the page leaves out.
	MoreProcedures int
	// Communes is a province's communes ranked on one indicator (?indicator=, else the
	// first), with the completeness of their data.
	Communes          *metrics.CommuneBoard
	CommuneIndicators []metrics.Indicator
	// Agencies is the province's own agencies on the same indicator, beside its communes.
	Agencies *metrics.Ranking
	// Index766 is the unit's index of Decision 766 for the month, when its records are kept.
	Index766 *unit766
}

// unit766 is a unit's index of Decision 766 for one period: its six groups against the
// national figure (a radar) and, per indicator, what it scored, lost and would take.
type unit766 struct {
	Period       string
	Total        float64
	Rank         *int
	PreviousRank *int
	Of           int
	Incomplete   []string
	Groups       []group766
	Chart        string
	Indicators   []indicator766
}

type group766 struct {
	Code, Name        string
	Points, Max       float64
	NoData            bool
	Percent, National float64 // of the group's maximum, the unit's and the mean over the units with data
}

type indicator766 struct {
	ID, Name, Rate string
	Scored         bool
	Points, Max    float64
	Lost           float64
	NoData         string
	// Take is what it would take: "120 hồ sơ đúng hạn nữa → +0,8 điểm".
	Take string
}

// passes766 names, by indicator, what must pass for more points (Vietnamese, English).
var passes766 = map[string][2]string{
	"1.1": {"thủ tục công bố đúng hạn", "procedures announced on time"},
	"1.2": {"thủ tục công khai đúng hạn", "procedures published on time"},
	"1.3": {"thủ tục công khai đầy đủ thành phần hồ sơ", "procedures with complete components"},
	"1.4": {"hồ sơ đồng bộ lên Cổng Dịch vụ công quốc gia", "dossiers synced to the national portal"},
	"2.1": {"hồ sơ đúng hạn", "dossiers on time"},
	"3.1": {"thủ tục cung cấp trực tuyến", "procedures offered online"},
	"3.2": {"thủ tục có hồ sơ trực tuyến", "procedures with an online dossier"},
	"3.3": {"hồ sơ trực tuyến", "online dossiers"},
	"3.5": {"thủ tục tích hợp thanh toán trực tuyến", "procedures with online payment"},
	"3.6": {"hồ sơ thanh toán trực tuyến", "dossiers paid online"},
	"4.1": {"hồ sơ có kết quả điện tử", "dossiers with an electronic result"},
	"4.2": {"hồ sơ được số hóa", "dossiers digitised"},
	"4.3": {"hồ sơ tái sử dụng dữ liệu số hóa", "dossiers reusing digitised data"},
	"4.4": {"hồ sơ lưu vào kho dữ liệu công dân", "dossiers kept in the citizen's store"},
	"4.5": {"hồ sơ xác thực bằng VNeID", "dossiers authenticated with VNeID"},
	"5.1": {"phản ánh được phân loại", "feedback classified"},
	"5.2": {"phản ánh xử lý đúng hạn", "feedback handled on time"},
	"5.3": {"phản ánh không bị phản đối, không trễ hạn", "feedback neither disliked nor late"},
	"5.4": {"hồ sơ đúng hạn, không bị khiếu nại", "dossiers on time and without a complaint"},
}

// noData766 puts an indicator's no-data reason in words (Vietnamese, English).
var noData766 = map[string][2]string{
	metrics.NoProceduresAnnounced: {"không có thủ tục công bố trong kỳ", "no procedure announced in the period"},
	metrics.NoProceduresInForce:   {"chưa có danh mục thủ tục", "no procedures in force"},
	metrics.NoComponentsRecords:   {"danh mục không ghi thành phần hồ sơ", "the catalogue lacks components_complete"},
	metrics.NoDossiersReceived:    {"không có hồ sơ tiếp nhận trong kỳ", "no dossier received in the period"},
	metrics.NoSyncedRecords:       {"tệp hồ sơ không có cột synced", "the dossiers lack the synced column"},
	metrics.NoDossiersHandled:     {"không có hồ sơ giải quyết trong kỳ", "no dossier handled in the period"},
	metrics.NoDossiersEnded:       {"không có hồ sơ kết thúc trong kỳ", "no dossier ended in the period"},
	metrics.NoOnlineProcedures:    {"không có thủ tục trực tuyến", "no procedure offered online"},
	metrics.NoFeeProcedures:       {"không có thủ tục thu phí", "no procedure with a fee"},
	metrics.NoFeeDossiers:         {"không có hồ sơ thu phí trong kỳ", "no dossier with a fee in the period"},
	metrics.NoPaperResultDossiers: {"không có hồ sơ kết quả giấy kết thúc trong kỳ", "no paper-result dossier ended in the period"},
	metrics.NoElectronicResultCol: {"tệp hồ sơ không có cột electronic_result", "the dossiers lack the electronic_result column"},
	metrics.NoReusedDataCol:       {"tệp hồ sơ không có cột reused_data", "the dossiers lack the reused_data column"},
	metrics.NoCitizenStoreCol:     {"tệp hồ sơ không có cột citizen_store", "the dossiers lack the citizen_store column"},
	metrics.NoVNeIDCol:            {"tệp hồ sơ không có cột vneid", "the dossiers lack the vneid column"},
	metrics.NoFeedbackReceived:    {"không có phản ánh trong kỳ", "no feedback received in the period"},
	metrics.NoFeedbackHandled:     {"không có phản ánh xử lý trong kỳ", "no feedback handled in the period"},
}

// takeLine is what it would take an indicator to reach full points, in the reader's
// language and number format.
func takeLine(sc metrics.Index766Score, lang string) string {
	lost := sc.Max - sc.Points
	switch {
	case sc.NoDataReason != "" || !sc.Scored:
		return ""
	case lost < 0.005:
		return pick(lang, "Đã đạt tối đa", "Full points")
	case sc.ToFullPoints < 0:
		return pick(lang, "Không đạt tối đa chỉ bằng hồ sơ trực tuyến khi tỷ lệ đồng bộ như hiện nay",
			"Full points are out of reach by online dossiers alone at the current sync rate")
	}
	what := passes766[sc.ID]
	if what[0] == "" {
		what = [2]string{"hồ sơ đạt", "more passing"}
	}
	n := FormatNumber(float64(sc.ToFullPoints), 0, lang)
	pts := FormatNumber(lost, 1, lang)
	if lang == "en" {
		return n + " more " + what[1] + " → +" + pts + " points"
	}
	return n + " " + what[0] + " nữa → +" + pts + " điểm"
}

// unitPage766 is the unit's index of Decision 766 for the period, or nil when its dossier
// records are not kept for it.
func (s *Server) unitPage766(ctx context.Context, u data.Unit, p data.Period, lang string) (*unit766, error) {
	if u.Group != data.Provinces && u.Group != data.Ministries || !u.ValidTo.IsZero() {
		return nil, nil
	}
	b, err := s.eng.Index766(ctx, p, u.Group)
	if err != nil {
		return nil, err
	}
	row, ok := b.Row(u.Code)
	if !ok || !hasRecords766(row) {
		return nil, nil
	}
	out := &unit766{Period: p.Label(lang), Total: row.Result.Total, Rank: row.Rank, PreviousRank: row.PreviousRank, Incomplete: row.Result.Incomplete}
	sums := map[string][2]float64{} // group → Σ percent, units
	for _, r := range b.Rows {
		if r.Rank != nil {
			out.Of++
		}
		for _, g := range r.Result.Groups {
			if !g.NoData && g.Max > 0 {
				x := sums[g.Code]
				sums[g.Code] = [2]float64{x[0] + 100*g.Points/g.Max, x[1] + 1}
			}
		}
	}
	var axes []string
	var mine, nat []float64
	for i, g := range row.Result.Groups {
		def := b.Config.Groups[i]
		gg := group766{Code: g.Code, Name: pick(lang, def.NameVI, def.NameEN), Points: g.Points, Max: g.Max, NoData: g.NoData}
		if g.Max > 0 && !g.NoData {
			gg.Percent = 100 * g.Points / g.Max
		}
		if x := sums[g.Code]; x[1] > 0 {
			gg.National = x[0] / x[1]
		}
		out.Groups = append(out.Groups, gg)
		axes = append(axes, g.Code+" · "+gg.Name)
		mine, nat = append(mine, round1(gg.Percent)), append(nat, round1(gg.National))
	}
	out.Chart = radarChart(axes, u.Name(lang), mine, T(lang, "national"), nat)
	// each indicator by its name in the reader's language (the scores keep the Vietnamese)
	names := map[string]string{}
	for _, g := range b.Config.Groups {
		for _, d := range g.Indicators {
			names[d.ID] = pick(lang, d.NameVI, d.NameEN)
		}
	}
	for _, sc := range row.Result.Indicators {
		in := indicator766{ID: sc.ID, Name: names[sc.ID], Scored: sc.Scored, Points: sc.Points, Max: sc.Max, NoData: sc.NoDataReason}
		if w, ok := noData766[sc.NoDataReason]; ok {
			in.NoData = pick(lang, w[0], w[1])
		}
		if in.NoData == "" {
			if sc.Scored {
				in.Rate = FormatNumber(100*sc.Rate, 2, lang) + "%"
				in.Lost = max(sc.Max-sc.Points, 0)
			} else {
				in.Rate = FormatNumber(sc.Rate, 1, lang) + " " + pick(lang, "ngày", "days")
			}
		}
		in.Take = takeLine(sc, lang)
		out.Indicators = append(out.Indicators, in)
	}
	return out, nil
}

func round1(v float64) float64 { return math.Round(v*10) / 10 }

// GET /units/:code: a unit's profile.
func (s *Server) unitPage(c echo.Context) error {
	ctx := c.Request().Context()
	lang := langOf(c)
	code := c.Param("code")
	u, ok := s.eng.Units().Latest(code)
	if !ok {
		return data.Errorf(data.ErrNotFound, "không có đơn vị mã “%s”", "no unit with code %q", code)
	}
	if u.Group == data.Communes {
		return s.communePage(c, u)
	}
	d := unitData{Unit: u, Predecessors: s.eng.Units().Predecessors(code)}
	last, err := s.eng.DefaultMonth(ctx, u.Group)
	if err != nil {
		return err
	}
	cov, err := s.eng.Coverage(ctx)
	if err != nil {
		return err
	}
	d.Month = last
	b := metrics.Current
	if !u.ValidTo.IsZero() {
		b = metrics.Historical // a unit that no longer exists is shown as it was
		if u.ValidTo < last {
			d.Month = u.ValidTo
		}
	}
	p := data.MonthPeriod(d.Month)
	for _, in := range s.eng.Defs().Indicators {
		ui := unitIndicator{Def: in}
		r, err := s.eng.Rankings(ctx, metrics.RankingQuery{Indicator: in.Code, Period: p, Group: u.Group, Boundaries: b})
		if err != nil {
			return err
		}
		for _, row := range r.Rows {
			if row.UnitCode == code {
				ui.Row = row
			}
		}
		sr, err := s.eng.Series(ctx, metrics.SeriesQuery{Unit: code, Indicator: in.Code, From: cov.FirstMonth, To: d.Month, Boundaries: b})
		if err != nil {
			return err
		}
		var months []string
		series := map[string][]opts.LineData{}
		unitName, nat, tgt := u.Name(lang), T(lang, "national"), T(lang, "target")
		for _, pt := range sr.Points {
			months = append(months, axisMonth(lang, pt.Period))
			series[unitName] = append(series[unitName], lineValue(pt.Value))
			series[nat] = append(series[nat], lineValue(pt.National))
			series[tgt] = append(series[tgt], lineValue(pt.Target))
		}
		ui.Chart = lineChart(months, series, []string{unitName, nat, tgt}, "%")
		d.Indicators = append(d.Indicators, ui)
	}
	if len(s.eng.Defs().Composites) > 0 {
		comp, err := s.eng.Composite(ctx, metrics.CompositeQuery{Name: s.eng.Defs().Composites[0].Code, Period: p, Group: u.Group, Boundaries: b})
		if err != nil {
			return err
		}
		for i := range comp.Rows {
			if comp.Rows[i].UnitCode == code {
				d.Composite = &comp.Rows[i]
			}
		}
	}
	mat, err := s.eng.Maturity(ctx, d.Month, u.Group, b)
	if err != nil {
		return err
	}
	for i := range mat.Rows {
		if mat.Rows[i].UnitCode == code {
			d.Maturity = &mat.Rows[i]
		}
	}
	if s.indexSrc != nil {
		if d.Indices, err = metrics.UnitIndices(ctx, s.indexSrc, s.eng.Units(), code); err != nil {
			return err
		}
	}
	if s.dossierLog != nil {
		late, err := s.lateDossiersOf(ctx, lateScope{Unit: &u, Group: u.Group, Month: d.Month}, 10)
		if err != nil {
			return err
		}
		if late.Counted() {
			d.MoreProcedures = keepProcedures(&late, 10)
			d.Late = &late
		}
	}
	if u.Group == data.Provinces && u.ValidTo.IsZero() && len(s.eng.Defs().Indicators) > 0 {
		ind := s.eng.Defs().Indicators[0].Code
		if q := c.QueryParam("indicator"); q != "" {
			ind = q
		}
		if d.Communes, err = s.eng.CommuneBoard(ctx, code, ind, d.Month); err != nil {
			return err
		}
		if d.Agencies, err = s.eng.AgencyBoard(ctx, code, ind, d.Month); err != nil {
			return err
		}
		d.CommuneIndicators = s.eng.Defs().Indicators
	}
	if d.Index766, err = s.unitPage766(ctx, u, p, lang); err != nil {
		return err
	}
	subs, err := s.store.Submissions(ctx, data.SubmissionFilter{Unit: code, Limit: 36})
	if err != nil {
		return err
	}
	d.Submissions = subs
	return s.render(c, http.StatusOK, "unit.html", "leaderboard", u.Name(lang), d)
}

func lineValue(v *float64) opts.LineData {
	if v == nil {
		return opts.LineData{Value: nil}
	}
	return opts.LineData{Value: *v}
}
