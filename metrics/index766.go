package metrics

// The index of Decision 766/QĐ-TTg, computed in plain Go from dossier, procedure and
// feedback records (issue 17). The computation is in two parts: counting (what each rule
// counts for a unit and period: data.Index766Counts) and scoring (ScoreIndex766: points
// from counts), shared by both paths. The record-level counting here is the reference: it
// is written to be read against the text, rule by rule, not to be fast; the SQL
// counting over DuckDB (data/index766.go) is checked against it. Where the issue leaves a
// choice open, the choice is written where it is made, marked "Choice:".

import (
	_ "embed"
	"fmt"
	"math"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/egovkpi/egovkpi/data"
)

//go:embed index766.toml
var defaultIndex766 []byte

// ---------------------------------------------------------------------------------------
// Records

// Tri is a yes/no column that an export may lack: the new columns of issue 17 are all
// optional, and an indicator whose population has no value for its column at all is "no
// data", not 0.
type Tri int8

// The values of a Tri.
const (
	Unknown Tri = iota // the column was absent or the cell empty
	No
	Yes
)

// TriOf is Yes or No.
func TriOf(b bool) Tri {
	if b {
		return Yes
	}
	return No
}

// Channel is how a dossier was filed.
type Channel string

// The channels, in the words the existing dossier exports use.
const (
	ChannelDirect Channel = "direct"
	ChannelOnline Channel = "online"
	ChannelPostal Channel = "postal"
)

// ParseChannel reads a channel as exports write it: the words direct, online, postal, or
// the portal's codes 1 (direct), 2 (online), 3 (postal).
func ParseChannel(s string) (Channel, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "1", "direct":
		return ChannelDirect, nil
	case "2", "online":
		return ChannelOnline, nil
	case "3", "postal":
		return ChannelPostal, nil
	}
	return "", fmt.Errorf("%w: channel %q: write 1 (direct), 2 (online), 3 (postal) or the word", data.ErrInvalid, s)
}

// Dossier766 is one dossier as a unit's export gives it. Times are instants (Viet Nam time
// when the export has no zone); a zero time is an empty cell.
type Dossier766 struct {
	ID            string
	UnitCode      string
	ProcedureCode string
	Channel       Channel
	ReceivedAt    time.Time
	DueAt         time.Time // the appointment date as exported; zero: none
	ResolvedAt    time.Time // zero: still open
	Digitized     bool
	FeeRequired   bool
	PaidOnline    bool
	Rating        string // satisfied | dissatisfied | ""

	// Supplement requests (yêu cầu bổ sung): how many, and the dates of the last one.
	SupplementRequests    int
	SupplementRequestedAt time.Time
	SupplementCompletedAt time.Time // zero: the citizen has not supplied it yet

	ElectronicResult Tri // a result issued electronically
	Synced           Tri // synced to the national portal
	ReusedData       Tri // digitised data reused instead of asking again
	CitizenStore     Tri // the result kept in the citizen's data store
	VNeID            Tri // filed with a VNeID account
	Complaint        Tri
}

// Procedure766 is one entry of the procedure catalogue. Dates are midnight in Viet Nam time;
// a zero date is an empty cell.
type Procedure766 struct {
	Code               string
	NameVI             string
	Level              string // province | commune | ministry
	UnitCode           string // empty: every unit of that level
	MaxProcessing      float64
	MaxUnit            string // hours | days | working_days
	Online             string // none | partial | full
	FullOnlineEligible bool
	PaperResult        bool
	Fee                bool
	PaymentIntegrated  bool
	AnnouncedOn        time.Time
	EffectiveOn        time.Time
	PublishedOn        time.Time
	ComponentsComplete Tri
	ValidFrom, ValidTo time.Time // both days included; zero: unbounded
}

// Feedback766 is one piece of citizen feedback (phản ánh, kiến nghị).
type Feedback766 struct {
	ID         string
	UnitCode   string
	ReceivedAt time.Time
	Classified bool
	HandledAt  time.Time
	Outcome    string // handled | refused | supplement_requested | open
	Disliked   bool
}

// Unit766 is the unit scored: a ministry or a province.
type Unit766 struct {
	Code string
	Kind string // ministry | province
}

// Index766Input is everything one unit's index for one period is computed from. Dossiers
// and feedback of other units are ignored, so a caller may pass a whole export.
//
// Choice: the catalogue passed is the version in force for the period (a new import is a
// new version from its date; choosing the version is the store's job). Within it,
// valid_from/valid_to are applied on the period's last day.
type Index766Input struct {
	Unit       Unit766
	Period     data.Period
	Procedures []Procedure766
	Dossiers   []Dossier766
	Feedback   []Feedback766
}

// ---------------------------------------------------------------------------------------
// Definitions (index766.toml)

// Index766Indicator is an indicator's definition: its id, names, points and threshold.
type Index766Indicator struct {
	ID        string   `toml:"id"`
	NameVI    string   `toml:"name_vi"`
	NameEN    string   `toml:"name_en"`
	PointsSet *float64 `toml:"points"`    // nil: an equal share of what the group has left
	Threshold float64  `toml:"threshold"` // percent; 0: none
	ScoredSet *bool    `toml:"scored"`    // nil: true

	// Points is the default share after the split (filled in by the parser).
	Points float64 `toml:"-"`
}

// Scored says whether the indicator earns points (2.2 is shown only).
func (in Index766Indicator) Scored() bool { return in.ScoredSet == nil || *in.ScoredSet }

// Index766Group is one of the six groups the portal shows.
type Index766Group struct {
	Code       string              `toml:"code"`
	NameVI     string              `toml:"name_vi"`
	NameEN     string              `toml:"name_en"`
	Max        float64             `toml:"max"`
	Indicators []Index766Indicator `toml:"indicator"`
}

// Index766Rules are the day windows of the rules, in working days.
type Index766Rules struct {
	AnnounceLead  map[string]int `toml:"announce_lead_working_days"`   // by unit kind (1.1)
	PublishWithin map[string]int `toml:"publish_within_working_days"`  // by unit kind (1.2)
	FeedbackDays  map[string]int `toml:"feedback_within_working_days"` // by outcome (5.2)
}

// Index766Config is the whole of index766.toml.
type Index766Config struct {
	Rules  Index766Rules   `toml:"rules"`
	Groups []Index766Group `toml:"group"`
	// Reconcile is how egovkpi's figures are set beside the portal's (reconcile.go).
	Reconcile Reconcile766 `toml:"reconciliation"`
}

// Index766Defaults parses the embedded index766.toml.
func Index766Defaults() (*Index766Config, error) {
	return ParseIndex766Config(defaultIndex766, "index766.toml (embedded)")
}

// LoadIndex766Config reads a definitions file; an empty path means the embedded one.
func LoadIndex766Config(path string) (*Index766Config, error) {
	if path == "" {
		return Index766Defaults()
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("index766: %w", err)
	}
	return ParseIndex766Config(b, path)
}

// index766Rules are the indicators this file knows how to compute, each a rule over the
// counts; a definitions file may leave some out but not name others.
var index766Rules = map[string]func(*data.Index766Counts) measure766{
	"1.1": announcedOnTime, "1.2": publishedOnTime, "1.3": componentsComplete, "1.4": synced,
	"2.1": onTime, "2.2": averageTime,
	"3.1": offeredOnlineRule, "3.2": onlineUsed, "3.3": onlineShare, "3.5": paymentIntegrated, "3.6": paidOnline,
	"4.1": electronicResults, "4.2": digitized, "4.3": reusedData, "4.4": citizenStore, "4.5": vneid,
	"5.1": feedbackClassified, "5.2": feedbackOnTime, "5.3": feedbackSatisfaction, "5.4": dossierSatisfaction,
}

// ParseIndex766Config parses and checks a definitions file and splits each group's
// remaining points equally among its scored indicators without points; name is used in
// errors.
func ParseIndex766Config(b []byte, name string) (*Index766Config, error) {
	var c Index766Config
	md, err := toml.Decode(string(b), &c)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		return nil, fmt.Errorf("%s: unknown key %s", name, und[0])
	}
	for _, k := range []string{"ministry", "province"} {
		if _, ok := c.Rules.AnnounceLead[k]; !ok {
			return nil, fmt.Errorf("%s: rules.announce_lead_working_days has no %s", name, k)
		}
		if _, ok := c.Rules.PublishWithin[k]; !ok {
			return nil, fmt.Errorf("%s: rules.publish_within_working_days has no %s", name, k)
		}
	}
	for _, k := range []string{"handled", "refused", "supplement_requested"} {
		if _, ok := c.Rules.FeedbackDays[k]; !ok {
			return nil, fmt.Errorf("%s: rules.feedback_within_working_days has no %s", name, k)
		}
	}
	seen, seenID := map[string]bool{}, map[string]bool{}
	total := 0.0
	for gi := range c.Groups {
		g := &c.Groups[gi]
		if g.Code == "" || seen[g.Code] {
			return nil, fmt.Errorf("%s: group %d: code missing or repeated", name, gi+1)
		}
		seen[g.Code] = true
		total += g.Max
		fixed, open := 0.0, 0
		for ii := range g.Indicators {
			in := &g.Indicators[ii]
			if _, ok := index766Rules[in.ID]; !ok || seenID[in.ID] {
				return nil, fmt.Errorf("%s: group %s: indicator %q unknown or repeated", name, g.Code, in.ID)
			}
			seenID[in.ID] = true
			if in.Threshold < 0 || in.Threshold > 100 {
				return nil, fmt.Errorf("%s: indicator %s: threshold %v is not a percentage", name, in.ID, in.Threshold)
			}
			switch {
			case !in.Scored():
				if in.PointsSet != nil && *in.PointsSet != 0 {
					return nil, fmt.Errorf("%s: indicator %s is not scored but has points", name, in.ID)
				}
			case in.PointsSet != nil:
				if *in.PointsSet < 0 {
					return nil, fmt.Errorf("%s: indicator %s: negative points", name, in.ID)
				}
				in.Points = *in.PointsSet
				fixed += in.Points
			default:
				open++
			}
		}
		rest := g.Max - fixed
		if rest < -1e-9 || (open == 0 && math.Abs(rest) > 1e-9) {
			return nil, fmt.Errorf("%s: group %s: the indicators' points (%v) do not make its max %v", name, g.Code, fixed, g.Max)
		}
		for ii := range g.Indicators {
			in := &g.Indicators[ii]
			if in.Scored() && in.PointsSet == nil {
				in.Points = rest / float64(open)
			}
		}
	}
	if math.Abs(total-100) > 1e-9 {
		return nil, fmt.Errorf("%s: the groups add up to %v points, not 100", name, total)
	}
	if err := c.Reconcile.check(name); err != nil {
		return nil, err
	}
	return &c, nil
}

// ---------------------------------------------------------------------------------------
// Results

// Reasons an indicator has no data (Index766Score.NoDataReason). They are codes, for the
// pages to put in words.
const (
	NoProceduresAnnounced   = "no_procedures_announced_in_period"
	NoProceduresInForce     = "no_procedures_in_force"
	NoComponentsRecords     = "no_components_complete_in_catalogue"
	NoDossiersReceived      = "no_dossiers_received_in_period"
	NoSyncedRecords         = "no_synced_column_in_dossiers"
	NoDossiersHandled       = "no_dossiers_handled_in_period"
	NoDossiersEnded         = "no_dossiers_ended_in_period"
	NoOnlineProcedures      = "no_procedures_offered_online"
	NoFeeProcedures         = "no_procedures_with_fee"
	NoFeeDossiers           = "no_dossiers_with_fee_received_in_period"
	NoPaperResultDossiers   = "no_paper_result_dossiers_ended_in_period"
	NoElectronicResultCol   = "no_electronic_result_column_in_dossiers"
	NoReusedDataCol         = "no_reused_data_column_in_dossiers"
	NoCitizenStoreCol       = "no_citizen_store_column_in_dossiers"
	NoVNeIDCol              = "no_vneid_column_in_dossiers"
	NoFeedbackReceived      = "no_feedback_received_in_period"
	NoFeedbackHandled       = "no_feedback_handled_in_period"
	NoteSyncFactorOne       = "sync_factor_1_no_synced_column" // 3.3 without synced anywhere
	NoteElectronicResultNo  = "electronic_result_column_absent_read_as_no"
	NoteSupplementUndated   = "supplement_request_without_date_not_subtracted"
	NoteProcedureNotInCatal = "procedures_not_in_catalogue"
	NoteCalendarNotCovered  = "working_day_calendar_lacks_the_period_year" // Monday–Friday only
)

// Index766Score is one indicator of one unit and period.
type Index766Score struct {
	ID     string
	Group  string
	NameVI string
	Scored bool

	// Rate is the share, 0–1, unrounded (the API prints it in percent). For 3.3 it is the
	// online share times SyncRate. For 2.2 it is the average handling time in days.
	Rate        float64
	Numerator   int // for 3.3: the online share's
	Denominator int
	Threshold   float64 // 0–1; 0: none
	Points      float64
	Max         float64 // after no-data redistribution within the group
	DefaultMax  float64 // the definitions' points, before redistribution
	SyncRate    *float64

	// ToFullPoints is how many more of Noun (dossiers, procedures, feedback) must pass,
	// the population unchanged, for Points to reach Max. −1: not reachable that way (3.3
	// when even every dossier online would not reach the threshold at the current sync
	// rate).
	ToFullPoints int
	Noun         string

	NoDataReason string // empty when the indicator has data
	Notes        []string
}

// ProcedureTime766 is 2.2 for one procedure: the average time of its dossiers ended in the
// period.
type ProcedureTime766 struct {
	ProcedureCode string
	NameVI        string
	Dossiers      int
	AverageDays   float64
}

// Index766GroupScore is the score of one group.
type Index766GroupScore struct {
	Code   string
	Points float64
	Max    float64
	NoData bool // no indicator of the group has data: left out of the total
}

// Index766Result is one unit's index for one period.
type Index766Result struct {
	UnitCode string
	Period   data.Period
	// Total is the sum of the groups' points, rescaled to 100 over the groups with data:
	// Total = Σ points × 100 / Σ max of the groups with data (= Σ points when complete).
	Total      float64
	Incomplete []string // codes of the groups left out for lack of data
	Notes      []string // about the whole row (NoteCalendarNotCovered)
	Groups     []Index766GroupScore
	Indicators []Index766Score
	Averages   []ProcedureTime766 // 2.2, by procedure code
}

// Score returns the indicator with that id.
func (r Index766Result) Score(id string) (Index766Score, bool) {
	for _, s := range r.Indicators {
		if s.ID == id {
			return s, true
		}
	}
	return Index766Score{}, false
}

// Group returns the group with that code.
func (r Index766Result) Group(code string) (Index766GroupScore, bool) {
	for _, g := range r.Groups {
		if g.Code == code {
			return g, true
		}
	}
	return Index766GroupScore{}, false
}

// ---------------------------------------------------------------------------------------
// Computation

// measure766 is what an indicator's rule makes of the counts, before scoring.
type measure766 struct {
	num, den int
	raw      int // the numerator before a floor at 0 (5.3, 5.4); = num otherwise
	noData   string
	noun     string
	rate     *float64 // when the rate is not num/den (3.3, 2.2)
	sync     *float64
	notes    []string
	// toFull overrides the count to full points (3.3).
	toFull func(threshold float64) int
}

// ComputeIndex766 computes every indicator, the six groups and the total of one unit for
// one period, by the rules of issue 17, from the records themselves: the reference that
// the SQL path (data.Store.Index766Counts, then ScoreIndex766) is checked against.
func ComputeIndex766(cfg *Index766Config, cal *data.Calendar, in Index766Input) (Index766Result, error) {
	if in.Unit.Kind != "ministry" && in.Unit.Kind != "province" {
		return Index766Result{}, fmt.Errorf("%w: unit %s: kind %q (ministry or province)", data.ErrInvalid, in.Unit.Code, in.Unit.Kind)
	}
	return ScoreIndex766(cfg, cal, in.Period, CountIndex766(cfg, cal, in)), nil
}

// CountIndex766 counts, record by record, what the rules of one unit and period count.
func CountIndex766(cfg *Index766Config, cal *data.Calendar, in Index766Input) data.Index766Counts {
	return newIndex766Ctx(cfg, cal, in).counts()
}

// Index766RulesOf is the definitions' day windows as the SQL path takes them.
func Index766RulesOf(cfg *Index766Config) data.Index766Rules {
	return data.Index766Rules{AnnounceLead: cfg.Rules.AnnounceLead, PublishWithin: cfg.Rules.PublishWithin, FeedbackDays: cfg.Rules.FeedbackDays}
}

// ScoreIndex766 turns one unit's counts for a period into points: each indicator's rate,
// no-data reason and notes, the redistribution of a no-data indicator's points within its
// group, the groups and the total, rescaled when a group has no data. Both paths share
// it: the record-level reference (ComputeIndex766) and the SQL counts.
func ScoreIndex766(cfg *Index766Config, cal *data.Calendar, p data.Period, k data.Index766Counts) Index766Result {
	res := Index766Result{UnitCode: k.UnitCode, Period: p}
	start, end := data.PeriodSpan(p)
	if !cal.Covers(start) || !cal.Covers(end.AddDate(0, 0, -1)) {
		// Working days of a year the calendar lacks are counted as Monday–Friday: say so
		// rather than fail, until the committee adds the year.
		res.Notes = append(res.Notes, NoteCalendarNotCovered)
	}
	covered, sum := 0.0, 0.0
	for _, g := range cfg.Groups {
		scores := make([]Index766Score, len(g.Indicators))
		withData := 0.0 // the default points of the group's scored indicators with data
		for i, def := range g.Indicators {
			m := index766Rules[def.ID](&k)
			s := Index766Score{ID: def.ID, Group: g.Code, NameVI: def.NameVI, Scored: def.Scored(),
				Numerator: m.num, Denominator: m.den, Threshold: def.Threshold / 100,
				DefaultMax: def.Points, NoDataReason: m.noData, Noun: m.noun, SyncRate: m.sync, Notes: m.notes}
			if m.noData == "" {
				switch {
				case m.rate != nil:
					s.Rate = *m.rate
				case m.den > 0:
					s.Rate = float64(m.num) / float64(m.den)
				}
				if s.Scored {
					withData += def.Points
					s.ToFullPoints = toFull(m, s.Threshold)
				}
			}
			scores[i] = s
		}
		gs := Index766GroupScore{Code: g.Code, Max: g.Max}
		if withData == 0 {
			// No indicator of the group has data: the group is left out and the total
			// rescaled over the others.
			gs.NoData = true
			res.Incomplete = append(res.Incomplete, g.Code)
		} else {
			// Choice: a no-data indicator's points are spread over the group's indicators
			// with data in proportion to their own points, so the group keeps its max and
			// the indicators keep their relative weight.
			for i := range scores {
				s := &scores[i]
				if !s.Scored || s.NoDataReason != "" {
					continue
				}
				s.Max = s.DefaultMax * g.Max / withData
				s.Points = earned(s.Rate, s.Threshold, s.Max)
				gs.Points += s.Points
			}
			covered += g.Max
			sum += gs.Points
		}
		res.Groups = append(res.Groups, gs)
		res.Indicators = append(res.Indicators, scores...)
	}
	if covered > 0 {
		res.Total = sum * 100 / covered
	}
	for _, a := range k.Averages {
		res.Averages = append(res.Averages, ProcedureTime766{ProcedureCode: a.Code, NameVI: a.NameVI, Dossiers: a.Dossiers,
			AverageDays: a.Days / float64(a.Dossiers)})
	}
	return res
}

// earned is the scoring rule: with a threshold t, min(rate / t, 1) × points; without, rate × points.
func earned(rate, t, full float64) float64 {
	if t > 0 {
		return math.Min(rate/t, 1) * full
	}
	return rate * full
}

// toFull is the smallest number of the population's items that must turn from failing to
// passing (the denominator unchanged) for the rate to reach the threshold, or 100% when
// there is none. It counts from the numerator before any floor at 0, so that for 5.4 a
// dossier both late and complained about needs two fixes, as the formula counts it twice.
func toFull(m measure766, t float64) int {
	if m.toFull != nil {
		return m.toFull(t)
	}
	if t == 0 {
		t = 1
	}
	// The small epsilon keeps 0.8 × 10 = 8.000000000000002 from asking for a 9th.
	k := int(math.Ceil(t*float64(m.den) - float64(m.raw) - 1e-9))
	return max(k, 0)
}

func ratio(num, den int, noun string) measure766 {
	return measure766{num: num, den: den, raw: num, noun: noun}
}

func noData(reason, noun string) measure766 { return measure766{noData: reason, noun: noun} }

// ---------------------------------------------------------------------------------------
// The rules over the counts

// 1.1: announced_on ≤ effective_on − 20 working days (ministries) or − 5 (provinces),
// over the procedures announced in the period.
func announcedOnTime(k *data.Index766Counts) measure766 {
	if k.ProcsAnnounced == 0 {
		return noData(NoProceduresAnnounced, "procedures")
	}
	return ratio(k.AnnouncedOnTime, k.ProcsAnnounced, "procedures")
}

// 1.2: published_on − announced_on ≤ 10 working days (ministries) or 5 (provinces).
func publishedOnTime(k *data.Index766Counts) measure766 {
	if k.ProcsAnnounced == 0 {
		return noData(NoProceduresAnnounced, "procedures")
	}
	return ratio(k.PublishedOnTime, k.ProcsAnnounced, "procedures")
}

// 1.3: the unit's procedures in force whose components_complete is true. No data when the
// catalogue has no components_complete at all.
func componentsComplete(k *data.Index766Counts) measure766 {
	if k.ProcsInForce == 0 {
		return noData(NoProceduresInForce, "procedures")
	}
	if k.ComponentsKnown == 0 {
		return noData(NoComponentsRecords, "procedures")
	}
	return ratio(k.ComponentsComplete, k.ProcsInForce, "procedures")
}

// 1.4: dossiers received in the period with synced / dossiers received in the period. An
// export without synced anywhere: no data. An empty cell beside filled ones is "not synced".
func synced(k *data.Index766Counts) measure766 {
	if k.Received == 0 {
		return noData(NoDossiersReceived, "dossiers")
	}
	if k.SyncedKnown == 0 {
		return noData(NoSyncedRecords, "dossiers")
	}
	return ratio(k.Synced, k.Received, "dossiers")
}

// 2.1: on time / handled in the period.
func onTime(k *data.Index766Counts) measure766 {
	if k.Handled == 0 {
		return noData(NoDossiersHandled, "dossiers")
	}
	m := ratio(k.HandledOnTime, k.Handled, "dossiers")
	if k.SupplementUndated > 0 {
		m.notes = append(m.notes, NoteSupplementUndated)
	}
	if k.MissingProcedures > 0 {
		m.notes = append(m.notes, NoteProcedureNotInCatal)
	}
	return m
}

// 2.2 (shown, not scored): the average of end′ − received_at, in days, over the dossiers
// ended in the period.
func averageTime(k *data.Index766Counts) measure766 {
	if k.Ended == 0 {
		return noData(NoDossiersEnded, "dossiers")
	}
	avg := k.EndedDays / float64(k.Ended)
	return measure766{num: k.Ended, den: k.Ended, raw: k.Ended, rate: &avg, noun: "dossiers"}
}

// 3.1: procedures with online partial or full / the unit's procedures (threshold 80%).
func offeredOnlineRule(k *data.Index766Counts) measure766 {
	if k.ProcsInForce == 0 {
		return noData(NoProceduresInForce, "procedures")
	}
	return ratio(k.OfferedOnline, k.ProcsInForce, "procedures")
}

// 3.2: procedures offered online that received at least one online dossier in the period /
// procedures offered online.
func onlineUsed(k *data.Index766Counts) measure766 {
	if k.OfferedOnline == 0 {
		return noData(NoOnlineProcedures, "procedures")
	}
	return ratio(k.OnlineUsed, k.OfferedOnline, "procedures")
}

// 3.3: (online dossiers received that count / dossiers received) × the 1.4 rate (threshold
// 50%). Without synced anywhere the factor is 1 and the score is marked.
func onlineShare(k *data.Index766Counts) measure766 {
	if k.Received == 0 {
		return noData(NoDossiersReceived, "online dossiers")
	}
	m := ratio(k.OnlineCounting, k.Received, "online dossiers")
	sync := 1.0
	if s := synced(k); s.noData == "" {
		sync = float64(s.num) / float64(s.den)
	} else {
		m.notes = append(m.notes, NoteSyncFactorOne)
	}
	if k.ElectronicKnown == 0 && k.OnlinePaper > 0 {
		m.notes = append(m.notes, NoteElectronicResultNo)
	}
	rate := float64(m.num) / float64(m.den) * sync
	m.rate, m.sync = &rate, &sync
	// To full points: online dossiers that must count, the sync rate unchanged.
	m.toFull = func(t float64) int {
		if t == 0 {
			t = 1
		}
		if rate >= t-1e-12 {
			return 0
		}
		if sync == 0 {
			return -1
		}
		n := int(math.Ceil(t*float64(m.den)/sync - float64(m.num) - 1e-9))
		if n > m.den-m.num {
			return -1
		}
		return n
	}
	return m
}

// 3.5: procedures with fee and payment_integrated / procedures with fee (threshold 80%).
func paymentIntegrated(k *data.Index766Counts) measure766 {
	if k.FeeProcs == 0 {
		return noData(NoFeeProcedures, "procedures")
	}
	return ratio(k.FeeIntegrated, k.FeeProcs, "procedures")
}

// 3.6: dossiers received with fee_required and paid_online / dossiers received with
// fee_required.
func paidOnline(k *data.Index766Counts) measure766 {
	if k.FeeDossiers == 0 {
		return noData(NoFeeDossiers, "dossiers")
	}
	return ratio(k.PaidOnline, k.FeeDossiers, "dossiers")
}

// 4.1: dossiers ended in the period of paper_result procedures with electronic_result /
// those dossiers. No data when none of them has the electronic_result column.
func electronicResults(k *data.Index766Counts) measure766 {
	if k.EndedPaper == 0 {
		return noData(NoPaperResultDossiers, "dossiers")
	}
	if k.EndedPaperKnown == 0 {
		return noData(NoElectronicResultCol, "dossiers")
	}
	return ratio(k.EndedPaperElectronic, k.EndedPaper, "dossiers")
}

// 4.2: dossiers received that are digitized and, for paper_result procedures, have
// electronic_result / dossiers received (threshold 80%).
// Choice: an export without electronic_result reads it as "no" here, as the rule asks
// for it (the score is marked).
func digitized(k *data.Index766Counts) measure766 {
	if k.Received == 0 {
		return noData(NoDossiersReceived, "dossiers")
	}
	m := ratio(k.DigitizedOK, k.Received, "dossiers")
	if k.ElectronicKnown == 0 && k.PaperReceived > 0 {
		m.notes = append(m.notes, NoteElectronicResultNo)
	}
	return m
}

// flagShare is 4.3–4.5: dossiers received with the flag / dossiers received; no data when
// the column is absent from all of them.
func flagShare(k *data.Index766Counts, known, yes int, absent string) measure766 {
	if k.Received == 0 {
		return noData(NoDossiersReceived, "dossiers")
	}
	if known == 0 {
		return noData(absent, "dossiers")
	}
	return ratio(yes, k.Received, "dossiers")
}

// 4.3: reused_data / dossiers received (threshold 80%).
func reusedData(k *data.Index766Counts) measure766 {
	return flagShare(k, k.ReusedKnown, k.Reused, NoReusedDataCol)
}

// 4.4: citizen_store / dossiers received.
func citizenStore(k *data.Index766Counts) measure766 {
	return flagShare(k, k.StoreKnown, k.Store, NoCitizenStoreCol)
}

// 4.5: vneid / dossiers received.
func vneid(k *data.Index766Counts) measure766 {
	return flagShare(k, k.VNeIDKnown, k.VNeID, NoVNeIDCol)
}

// 5.1: feedback received in the period that is classified / feedback received.
func feedbackClassified(k *data.Index766Counts) measure766 {
	if k.FeedbackReceived == 0 {
		return noData(NoFeedbackReceived, "feedback")
	}
	return ratio(k.FeedbackClassified, k.FeedbackReceived, "feedback")
}

// 5.2: feedback handled on time / feedback handled in the period (closed in it, or open
// at its end).
func feedbackOnTime(k *data.Index766Counts) measure766 {
	if k.FeedbackHandled == 0 {
		return noData(NoFeedbackHandled, "feedback")
	}
	return ratio(k.FeedbackHandledOnTime, k.FeedbackHandled, "feedback")
}

// 5.3: (feedback received − disliked − late) / feedback received, late judged by 5.2's
// rule at the period's end.
// Choice: as 5.4's formula does, a feedback both disliked and late is taken off twice, and
// the numerator is floored at 0.
func feedbackSatisfaction(k *data.Index766Counts) measure766 {
	if k.FeedbackReceived == 0 {
		return noData(NoFeedbackReceived, "feedback")
	}
	raw := k.FeedbackReceived - k.FeedbackDisliked - k.FeedbackLateReceived
	return measure766{num: max(raw, 0), den: k.FeedbackReceived, raw: raw, noun: "feedback"}
}

// 5.4: (handled − late − with a complaint) / handled, over 2.1's dossiers, where "with a
// complaint" is complaint or rating = dissatisfied; a late dossier with a complaint counts
// in both, floor 0 (threshold 90%).
func dossierSatisfaction(k *data.Index766Counts) measure766 {
	if k.Handled == 0 {
		return noData(NoDossiersHandled, "dossiers")
	}
	raw := k.HandledOnTime - k.HandledComplained // handled − late − complained
	return measure766{num: max(raw, 0), den: k.Handled, raw: raw, noun: "dossiers"}
}

// ---------------------------------------------------------------------------------------
// The record-level counting: the oracle

type index766Ctx struct {
	cfg        *Index766Config
	cal        *data.Calendar
	in         Index766Input
	start, end time.Time // the period, [start, end), Viet Nam time
	lastDay    time.Time // midnight of the period's last day

	procs     []*Procedure766          // the unit's procedures in force, one per code
	announced []*Procedure766          // the unit's procedures announced in the period
	byCode    map[string]*Procedure766 // procs by code
	received  []*Dossier766            // received in the period
	handled   []*Dossier766            // handled in the period (2.1's population)
	ended     []*Dossier766            // ended (resolved) in the period
	feedback  []*Feedback766           // the unit's feedback
	missing   map[string]bool          // procedure codes of dossiers not in the catalogue
}

func (c *index766Ctx) in766(t time.Time) bool {
	return !t.IsZero() && !t.Before(c.start) && t.Before(c.end)
}

// newIndex766Ctx sets out the period and picks the records and populations.
func newIndex766Ctx(cfg *Index766Config, cal *data.Calendar, in Index766Input) *index766Ctx {
	c := &index766Ctx{cfg: cfg, cal: cal, in: in, missing: map[string]bool{}}
	c.start, c.end = data.PeriodSpan(in.Period)
	c.lastDay = c.end.AddDate(0, 0, -1)
	c.selectRecords()
	return c
}

// selectRecords picks the unit's records and the populations the rules use.
func (c *index766Ctx) selectRecords() {
	u := c.in.Unit
	applies := func(p *Procedure766) bool {
		// Choice: a province's index covers its own and its communes' procedures (the
		// portal scores a province with its departments and communes); a ministry's only
		// ministry-level ones.
		level := p.Level == u.Kind || (u.Kind == "province" && p.Level == "commune")
		return level && (p.UnitCode == "" || p.UnitCode == u.Code)
	}
	// One entry per code, the unit's own entry before a level-wide one.
	pick := func(keep func(*Procedure766) bool) ([]*Procedure766, map[string]*Procedure766) {
		by := map[string]*Procedure766{}
		for i := range c.in.Procedures {
			p := &c.in.Procedures[i]
			if !applies(p) || !keep(p) {
				continue
			}
			if q, ok := by[p.Code]; !ok || (q.UnitCode == "" && p.UnitCode != "") {
				by[p.Code] = p
			}
		}
		list := make([]*Procedure766, 0, len(by))
		for _, p := range by {
			list = append(list, p)
		}
		sort.Slice(list, func(i, j int) bool { return list[i].Code < list[j].Code })
		return list, by
	}
	// Choice: "in force" is judged on the period's last day, both ends of validity included.
	c.procs, c.byCode = pick(func(p *Procedure766) bool {
		return (p.ValidFrom.IsZero() || !p.ValidFrom.After(c.lastDay)) && (p.ValidTo.IsZero() || !p.ValidTo.Before(c.lastDay))
	})
	// Announced in the period, whatever their validity: a procedure announced now may take
	// effect only later, and 1.1 is about exactly that gap.
	c.announced, _ = pick(func(p *Procedure766) bool { return c.in766(p.AnnouncedOn) })

	for i := range c.in.Dossiers {
		d := &c.in.Dossiers[i]
		if d.UnitCode != u.Code {
			continue
		}
		if c.in766(d.ReceivedAt) {
			c.received = append(c.received, d)
		}
		// Handled in the period: ended in it, or still open at its end (received before
		// the end and not resolved before the start). Each dossier once, whatever the
		// period's length.
		if d.ReceivedAt.Before(c.end) && (d.ResolvedAt.IsZero() || !d.ResolvedAt.Before(c.start)) {
			c.handled = append(c.handled, d)
			if c.byCode[d.ProcedureCode] == nil {
				c.missing[d.ProcedureCode] = true
			}
		}
		if c.in766(d.ResolvedAt) {
			c.ended = append(c.ended, d)
		}
	}
	for i := range c.in.Feedback {
		if f := &c.in.Feedback[i]; f.UnitCode == u.Code {
			c.feedback = append(c.feedback, f)
		}
	}
}

// procedure is the catalogue entry of a dossier; nil when its procedure is not in the
// catalogue, which the issue treats as without paper result and without maximum.
func (c *index766Ctx) procedure(d *Dossier766) *Procedure766 { return c.byCode[d.ProcedureCode] }

func (c *index766Ctx) paperResult(d *Dossier766) bool {
	p := c.procedure(d)
	return p != nil && p.PaperResult
}

func offeredOnline(p *Procedure766) bool { return p.Online == "partial" || p.Online == "full" }

// counts applies every rule to every record of the unit.
func (c *index766Ctx) counts() data.Index766Counts {
	k := data.Index766Counts{UnitCode: c.in.Unit.Code, Kind: c.in.Unit.Kind}
	// 1.1: announced_on ≤ effective_on − lead working days; a procedure announced without
	// effective_on cannot show it was announced in time (Choice: not on time). 1.2: published
	// no later than the within-th working day after the announcement (Choice: not yet
	// published is not on time).
	lead, within := c.cfg.Rules.AnnounceLead[c.in.Unit.Kind], c.cfg.Rules.PublishWithin[c.in.Unit.Kind]
	k.ProcsAnnounced = len(c.announced)
	for _, p := range c.announced {
		if !p.EffectiveOn.IsZero() && !p.AnnouncedOn.After(c.cal.AddWorkingDays(p.EffectiveOn, -lead)) {
			k.AnnouncedOnTime++
		}
		if !p.PublishedOn.IsZero() && !p.PublishedOn.After(c.cal.AddWorkingDays(p.AnnouncedOn, within)) {
			k.PublishedOnTime++
		}
	}
	used := map[string]bool{} // procedures that received an online dossier (3.2)
	for _, d := range c.received {
		if d.Channel == ChannelOnline {
			used[d.ProcedureCode] = true
		}
	}
	k.ProcsInForce = len(c.procs)
	for _, p := range c.procs {
		if p.ComponentsComplete != Unknown {
			k.ComponentsKnown++
		}
		if p.ComponentsComplete == Yes {
			k.ComponentsComplete++
		}
		if offeredOnline(p) {
			k.OfferedOnline++
			if used[p.Code] {
				k.OnlineUsed++
			}
		}
		if p.Fee {
			k.FeeProcs++
			if p.PaymentIntegrated {
				k.FeeIntegrated++
			}
		}
	}
	tally := func(t Tri, known, yes *int) {
		if t != Unknown {
			*known++
		}
		if t == Yes {
			*yes++
		}
	}
	k.Received = len(c.received)
	for _, d := range c.received {
		paper := c.paperResult(d)
		tally(d.Synced, &k.SyncedKnown, &k.Synced)
		tally(d.ReusedData, &k.ReusedKnown, &k.Reused)
		tally(d.CitizenStore, &k.StoreKnown, &k.Store)
		tally(d.VNeID, &k.VNeIDKnown, &k.VNeID)
		if d.ElectronicResult != Unknown {
			k.ElectronicKnown++
		}
		// 3.3: an online dossier of a paper_result procedure counts only with
		// electronic_result
		if d.Channel == ChannelOnline && (!paper || d.ElectronicResult == Yes) {
			k.OnlineCounting++
		}
		if d.Channel == ChannelOnline && paper {
			k.OnlinePaper++
		}
		if paper {
			k.PaperReceived++
		}
		if d.FeeRequired {
			k.FeeDossiers++
			if d.PaidOnline {
				k.PaidOnline++
			}
		}
		if d.Digitized && (!paper || d.ElectronicResult == Yes) {
			k.DigitizedOK++
		}
	}
	k.Handled = len(c.handled)
	for _, d := range c.handled {
		if c.dossierOnTime(d) {
			k.HandledOnTime++
		}
		if d.Complaint == Yes || d.Rating == "dissatisfied" {
			k.HandledComplained++
		}
		if _, _, undated := c.endPrime(d); undated {
			k.SupplementUndated++
		}
	}
	k.MissingProcedures = len(c.missing)
	// 2.2 (Choice: a dossier with more than one supplement request has no end′; its end is
	// used) and 4.1
	k.Ended = len(c.ended)
	by := map[string]*data.ProcedureDays{}
	for _, d := range c.ended {
		end, _, _ := c.endPrime(d)
		days := end.Sub(d.ReceivedAt).Hours() / 24
		k.EndedDays += days
		a := by[d.ProcedureCode]
		if a == nil {
			a = &data.ProcedureDays{Code: d.ProcedureCode}
			if p := c.procedure(d); p != nil {
				a.NameVI = p.NameVI
			}
			by[d.ProcedureCode] = a
		}
		a.Dossiers++
		a.Days += days
		if c.paperResult(d) {
			k.EndedPaper++
			tally(d.ElectronicResult, &k.EndedPaperKnown, &k.EndedPaperElectronic)
		}
	}
	for _, a := range by {
		k.Averages = append(k.Averages, *a)
	}
	sort.Slice(k.Averages, func(i, j int) bool { return k.Averages[i].Code < k.Averages[j].Code })
	// 5.1, 5.3 over the feedback received; 5.2 over the feedback handled in the period
	// (closed in it, or open at its end)
	for _, f := range c.feedback {
		if c.in766(f.ReceivedAt) {
			k.FeedbackReceived++
			if f.Classified {
				k.FeedbackClassified++
			}
			if f.Disliked {
				k.FeedbackDisliked++
			}
			if c.feedbackLate(f) {
				k.FeedbackLateReceived++
			}
		}
		if f.ReceivedAt.Before(c.end) && (!c.feedbackClosed(f) || !f.HandledAt.Before(c.start)) {
			k.FeedbackHandled++
			if !c.feedbackLate(f) {
				k.FeedbackHandledOnTime++
			}
		}
	}
	return k
}

// endPrime is 2.1's end′ of a handled dossier, and false when it has more than one
// supplement request (late whatever its times).
//
// End = resolved_at if the dossier ended in the period, else the period's end. With one
// supplement request the time it waited on the citizen is taken off: end′ = end −
// (completed − requested). Choice: the wait is cut at end, so a dossier still waiting at
// end (completed empty, or completed after end) gives end′ = requested, which is the
// issue's "a dossier waiting on its only supplement request ends at
// supplement_requested_at"; a request made after end takes nothing off.
func (c *index766Ctx) endPrime(d *Dossier766) (end time.Time, ok bool, undated bool) {
	end = c.end
	if c.in766(d.ResolvedAt) {
		end = d.ResolvedAt
	}
	switch {
	case d.SupplementRequests <= 0:
		return end, true, false
	case d.SupplementRequests > 1:
		return end, false, false
	}
	req := d.SupplementRequestedAt
	if req.IsZero() {
		// Choice: one request without its date: nothing can be taken off.
		return end, true, true
	}
	stop := d.SupplementCompletedAt
	if stop.IsZero() || stop.After(end) {
		stop = end
	}
	if req.Before(stop) {
		end = end.Add(-stop.Sub(req))
	}
	return end, true, false
}

// dossierOnTime is 2.1's test: end′ ≤ due_at; without due_at, end′ − received_at ≤ the
// procedure's maximum (hours, days of 24 h, or working days by the calendar).
// Choice: without due_at and without a maximum (procedure not in the catalogue, or no
// max_processing) nothing can be missed: on time.
func (c *index766Ctx) dossierOnTime(d *Dossier766) bool {
	end, ok, _ := c.endPrime(d)
	if !ok {
		return false // more than one supplement request: late
	}
	if !d.DueAt.IsZero() {
		return !end.After(d.DueAt)
	}
	p := c.procedure(d)
	if p == nil || p.MaxProcessing <= 0 {
		return true
	}
	switch p.MaxUnit {
	case "working_days":
		return c.cal.WorkingDaysBetween(d.ReceivedAt, end) <= p.MaxProcessing
	case "days":
		return end.Sub(d.ReceivedAt) <= time.Duration(p.MaxProcessing*24*float64(time.Hour))
	default: // hours
		return end.Sub(d.ReceivedAt) <= time.Duration(p.MaxProcessing*float64(time.Hour))
	}
}

// feedbackClosed says whether the feedback was closed before the period's end: an outcome
// other than open, with handled_at before the end.
// Choice: a handled_at with an empty outcome is read as "handled"; a closing after the
// period's end leaves it open at the end.
func (c *index766Ctx) feedbackClosed(f *Feedback766) bool {
	return f.Outcome != "open" && !f.HandledAt.IsZero() && f.HandledAt.Before(c.end)
}

// feedbackLate is 5.2's rule as things stood at the period's end: handled within 15
// working days of received_at, refused within 2, supplement_requested within 5 (working
// days measured as for dossiers, WorkingDaysBetween); open at the end and past 15 is late.
func (c *index766Ctx) feedbackLate(f *Feedback766) bool {
	days := c.cfg.Rules.FeedbackDays
	if !c.feedbackClosed(f) {
		return c.cal.WorkingDaysBetween(f.ReceivedAt, c.end) > float64(days["handled"])
	}
	within, ok := days[f.Outcome]
	if !ok {
		within = days["handled"]
	}
	return c.cal.WorkingDaysBetween(f.ReceivedAt, f.HandledAt) > float64(within)
}
