// Package ingest turns what units send (spreadsheets, CSV files, API pulls, the demo
// history) into validated submissions for the store.
package ingest

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/egovkpi/egovkpi/data"
)

// Submitter stores accepted submissions; *data.Store is one.
type Submitter interface {
	Submit(ctx context.Context, subs []data.Submission) ([]data.Submission, error)
}

// DemoStart is the first month of the demo history.
var DemoStart = data.NewMonth(2019, 1)

// Demo describes a deterministic, believable history: the same Seed and Through give the
// same numbers, byte for byte.
type Demo struct {
	Seed    uint64
	Through data.Month // last month seeded, usually the last complete month
	// With766 adds the records of the index of Decision 766 (dossiers, the catalogue,
	// feedback for the last Demo766Months months). serve --demo and seed set it unless
	// told --demo-766=false; the zero value stays the demo without them, which the metrics
	// and reports tests read.
	With766 bool `json:"with766,omitempty"`
}

// LastCompleteMonth is the month before now in Viet Nam time.
func LastCompleteMonth(now time.Time) data.Month {
	return data.MonthOf(now.In(VietnamTime)).Add(-1)
}

// VietnamTime is data.VietnamTime, the one time zone every month is judged in.
var VietnamTime = data.VietnamTime()

// anchor is a point on a national curve: the rate the demo aims at in that month.
type anchor struct {
	m    data.Month
	rate float64
}

func ym(y, m int) data.Month { return data.NewMonth(y, m) }

// The national curves follow what was published: electronic documents 86.5% in 2019,
// on time 95.8% in 2019, level 4 16% in August 2020 and over 30% at the end of 2020,
// about 97% by late 2022, online dossiers from a few percent to 80% by 2025.
var curves = map[string][]anchor{
	"edoc":      {{ym(2019, 1), .865}, {ym(2019, 12), .865}, {ym(2020, 12), .90}, {ym(2022, 12), .95}, {ym(2025, 12), .98}},
	"on_time":   {{ym(2019, 1), .958}, {ym(2019, 12), .958}, {ym(2020, 12), .962}, {ym(2022, 12), .97}, {ym(2025, 12), .98}},
	"level4":    {{ym(2019, 1), .05}, {ym(2020, 7), .12}, {ym(2020, 8), .16}, {ym(2020, 12), .315}, {ym(2021, 12), .62}, {ym(2022, 10), .97}, {ym(2025, 12), .975}},
	"level3":    {{ym(2019, 1), .40}, {ym(2020, 12), .45}, {ym(2022, 10), .02}, {ym(2025, 12), .015}},
	"online":    {{ym(2019, 1), .03}, {ym(2020, 12), .10}, {ym(2022, 12), .30}, {ym(2024, 12), .55}, {ym(2025, 12), .80}, {ym(2027, 12), .88}},
	"digitized": {{ym(2019, 1), .05}, {ym(2022, 12), .40}, {ym(2025, 12), .75}, {ym(2027, 12), .85}},
	"payment":   {{ym(2019, 1), .02}, {ym(2022, 12), .25}, {ym(2025, 12), .60}, {ym(2027, 12), .70}},
	"satisfied": {{ym(2019, 1), .90}, {ym(2025, 12), .95}},
	"published": {{ym(2019, 1), .95}, {ym(2025, 12), .99}},
	"resolved":  {{ym(2019, 1), .97}, {ym(2025, 12), .98}},
	"payable":   {{ym(2019, 1), .40}, {ym(2025, 12), .45}},
	"feedback":  {{ym(2019, 1), .05}, {ym(2025, 12), .30}},
}

func curve(name string, m data.Month) float64 {
	pts := curves[name]
	if m <= pts[0].m {
		return pts[0].rate
	}
	for i := 1; i < len(pts); i++ {
		if m <= pts[i].m {
			a, b := pts[i-1], pts[i]
			f := float64(m-a.m) / float64(b.m-a.m)
			return a.rate + f*(b.rate-a.rate)
		}
	}
	return pts[len(pts)-1].rate
}

// rng is a small deterministic generator (splitmix64) seeded from a string.
type rng struct{ s uint64 }

func newRNG(seed uint64, parts ...any) *rng {
	h := fnv.New64a()
	fmt.Fprint(h, seed)
	for _, p := range parts {
		fmt.Fprint(h, "|", p)
	}
	return &rng{h.Sum64()}
}

func (r *rng) next() uint64 {
	r.s += 0x9e3779b97f4a7c15
	z := r.s
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

func (r *rng) float() float64 { return float64(r.next()>>11) / (1 << 53) }

// norm is a standard normal draw (Box–Muller).
func (r *rng) norm() float64 {
	u1, u2 := r.float(), r.float()
	if u1 < 1e-12 {
		u1 = 1e-12
	}
	return math.Sqrt(-2*math.Log(u1)) * math.Cos(2*math.Pi*u2)
}

// effect is a unit's lasting place among its peers (leaders stay leaders), keyed by the
// code of the unit now in force so that merged units keep the spirit of their successor.
func (d Demo) effect(kind, code string) float64 {
	return newRNG(d.Seed, "effect", kind, code).norm()
}

// size is a unit's dossier volume per month in an ordinary month.
func (d Demo) size(u data.Unit) float64 {
	r := newRNG(d.Seed, "size", u.Code, u.ValidFrom)
	switch {
	case u.Group == data.Ministries:
		return 300 + 6000*r.float()*r.float()
	case u.Code == "01" || u.Code == "79":
		return 90000 + 30000*r.float()
	default:
		return 6000 + 30000*r.float()*r.float()
	}
}

// unitSize is the size of u; a unit formed by a merger is as large as its predecessors.
func (d Demo) unitSize(reg *data.Registry, u data.Unit) float64 {
	if u.ValidFrom.IsZero() {
		return d.size(u)
	}
	total := 0.0
	for _, p := range reg.All() {
		if !p.ValidTo.IsZero() && p.ValidTo < u.ValidFrom && reg.Current(p.Code) == u.Code && p.Group == u.Group {
			total += d.size(p)
		}
	}
	if total == 0 {
		return d.size(u)
	}
	return total
}

var seasonal = [12]float64{0.85, 0.65, 1.05, 1.0, 1.02, 1.0, 0.98, 1.0, 1.03, 1.05, 1.04, 1.12}

// rates gives each unit its rate for one curve in one month, calibrated so that the
// national rate (weighted by den) is the curve's value.
func (d Demo) rates(reg *data.Registry, curveName string, m data.Month, units []data.Unit, den []float64) []float64 {
	target := curve(curveName, m)
	logit := func(p float64) float64 { return math.Log(p / (1 - p)) }
	base := logit(math.Min(math.Max(target, 1e-4), 1-1e-4))
	eff := make([]float64, len(units))
	for i, u := range units {
		// 0.7 of lasting effect, 0.3 of month-to-month noise
		eff[i] = 0.55*d.effect(curveName, reg.Current(u.Code)) + 0.2*newRNG(d.Seed, "noise", curveName, u.Code, m).norm()
	}
	national := func(shift float64) float64 {
		var n, w float64
		for i := range units {
			n += den[i] / (1 + math.Exp(-(base + shift + eff[i])))
			w += den[i]
		}
		return n / w
	}
	lo, hi := -10.0, 10.0
	for range 60 {
		mid := (lo + hi) / 2
		if national(mid) < target {
			lo = mid
		} else {
			hi = mid
		}
	}
	out := make([]float64, len(units))
	for i := range units {
		out[i] = 1 / (1 + math.Exp(-(base + (lo+hi)/2 + eff[i])))
	}
	return out
}

// Submissions builds the demo history: for every month, every unit in force reports,
// but for a few that report late and fewer that do not report at all.
func (d Demo) Submissions(reg *data.Registry) []data.Submission {
	var out []data.Submission
	for m := DemoStart; m <= d.Through; m++ {
		for _, g := range []data.Group{data.Provinces, data.Ministries} {
			out = append(out, d.month(reg, g, m)...)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Month < out[j].Month })
	return out
}

func (d Demo) month(reg *data.Registry, g data.Group, m data.Month) []data.Submission {
	var units []data.Unit
	for _, u := range reg.InForce(g, m) {
		r := newRNG(d.Seed, "report", u.Code, m)
		if r.float() < 0.025 && m < d.Through.Add(-1) {
			continue // a missing report
		}
		units = append(units, u)
	}
	n := len(units)
	received := make([]float64, n)
	procs := make([]float64, n)
	docs := make([]float64, n)
	for i, u := range units {
		r := newRNG(d.Seed, "volume", u.Code, m)
		growth := 1 + 0.04*float64(m-DemoStart)/12
		received[i] = math.Round(d.unitSize(reg, u) * seasonal[m.Num()-1] * growth * (0.92 + 0.16*r.float()))
		if g == data.Ministries {
			procs[i] = math.Round(40 + d.unitSize(reg, u)/12)
		} else {
			procs[i] = math.Round(1650 + d.unitSize(reg, u)/150)
		}
		docs[i] = math.Round(received[i]*0.12*(0.9+0.2*r.float()) + 400)
	}
	scale := func(curveName string, den []float64) []float64 {
		rates := d.rates(reg, curveName, m, units, den)
		out := make([]float64, n)
		for i := range den {
			out[i] = math.Round(den[i] * rates[i])
		}
		return out
	}
	online := scale("online", received)
	digitized := scale("digitized", received)
	resolved := scale("resolved", received)
	onTime := scale("on_time", resolved)
	payable := scale("payable", received)
	paidOnline := scale("payment", payable)
	feedback := scale("feedback", resolved)
	satisfied := scale("satisfied", feedback)
	published := scale("published", procs)
	level4 := scale("level4", procs)
	level3 := scale("level3", procs)
	edocs := scale("edoc", docs)
	subs := make([]data.Submission, n)
	for i, u := range units {
		l3 := math.Min(level3[i], procs[i]-level4[i])
		subs[i] = data.Submission{
			UnitCode: u.Code, Month: m, Source: "demo", SubmittedBy: "demo",
			SubmittedAt: d.submittedAt(u.Code, m),
			Values: map[string]int64{
				"procedures_total": int64(procs[i]), "procedures_online_full": int64(level4[i]),
				"procedures_online_partial": int64(l3), "procedures_published": int64(published[i]),
				"dossiers_received": int64(received[i]), "dossiers_received_online": int64(online[i]),
				"dossiers_resolved": int64(resolved[i]), "dossiers_resolved_on_time": int64(onTime[i]),
				"dossiers_digitized": int64(digitized[i]), "payments_total": int64(payable[i]),
				"payments_online": int64(paidOnline[i]), "feedback_total": int64(feedback[i]),
				"feedback_satisfied": int64(satisfied[i]), "docs_total": int64(docs[i]),
				"docs_electronic": int64(edocs[i]),
			},
		}
	}
	return subs
}

// submittedAt is when the demo says the report arrived: mostly between the 2nd and the
// 10th of the next month (the deadline), sometimes a few days late.
func (d Demo) submittedAt(code string, m data.Month) time.Time {
	r := newRNG(d.Seed, "when", code, m)
	next := m.Add(1)
	day := 2 + int(r.float()*8)
	if r.float() < 0.07 {
		day = 12 + int(r.float()*10)
	}
	hour := 8 + int(r.float()*9)
	return time.Date(next.Year(), time.Month(next.Num()), day, hour, int(r.float()*60), 0, 0, VietnamTime).UTC()
}

// Load stores the demo history through the same path as any other submission.
func (d Demo) Load(ctx context.Context, reg *data.Registry, s Submitter) (int, error) {
	subs := d.Submissions(reg)
	if _, err := s.Submit(ctx, subs); err != nil {
		return 0, fmt.Errorf("seed demo: %w", err)
	}
	communes, err := d.loadCommunes(ctx, reg, s, subs)
	if err != nil {
		return 0, err
	}
	if as, ok := s.(AssessmentSubmitter); ok {
		if _, err := as.SubmitAssessments(ctx, d.Assessments(reg)); err != nil {
			return 0, fmt.Errorf("seed demo capabilities: %w", err)
		}
	}
	if rs, ok := s.(Records766Submitter); ok && d.With766 {
		if err := d.load766(ctx, reg, rs, s, subs); err != nil {
			return 0, err
		}
	}
	return len(subs) + communes, nil
}

// capabilityYears is when, give or take a unit's own pace, units came to have each capability.
var capabilityYears = []struct {
	code string
	year float64
}{
	{"portal", 2017}, {"service_centre", 2019}, {"one_stop", 2019.5}, {"doc_axis", 2019}, {"lgsp", 2020.5},
	{"payment", 2021.5}, {"ndxp", 2022}, {"security_levels", 2022}, {"population_db", 2022.5}, {"soc", 2023.5}, {"open_data", 2024},
}

// Assessments are the demo's capability checklists: every January, and when the units
// formed by the 2025 mergers start.
func (d Demo) Assessments(reg *data.Registry) []data.Assessment {
	var out []data.Assessment
	for m := DemoStart; m <= d.Through; m++ {
		for _, g := range []data.Group{data.Provinces, data.Ministries} {
			for _, u := range reg.InForce(g, m) {
				if m.Num() != 1 && u.ValidFrom != m {
					continue
				}
				pace := 1.2 * d.effect("capability", reg.Current(u.Code)) // leaders build early
				year := float64(m.Year()) + float64(m.Num()-1)/12
				items := map[string]data.Item{}
				for _, c := range capabilityYears {
					if c.code == "service_centre" && g != data.Provinces {
						continue
					}
					v := 0.0
					if year >= c.year-pace {
						v = 1
					}
					items[c.code] = data.Item{Value: v, Evidence: fmt.Sprintf("Báo cáo tự đánh giá %s", m)}
				}
				sig := math.Min(100, math.Max(0, math.Round(35+9*(year-2019)+6*pace)))
				items["digital_signature"] = data.Item{Value: sig}
				if g == data.Provinces {
					items["commune_network"] = data.Item{Value: math.Min(100, math.Max(0, math.Round(50+8*(year-2019)+5*pace)))}
				}
				out = append(out, data.Assessment{UnitCode: u.Code, Month: m, SubmittedBy: "demo", SubmittedAt: d.submittedAt(u.Code, m), Items: items})
			}
		}
	}
	return out
}

// AssessmentSubmitter stores capability checklists; *data.Store is one.
type AssessmentSubmitter interface {
	SubmitAssessments(ctx context.Context, as []data.Assessment) ([]data.Assessment, error)
}

// Records766Submitter stores the records of the index of Decision 766: dossiers, the
// procedure catalogue and feedback; *data.Store is one.
type Records766Submitter interface {
	IngestDossiers(ctx context.Context, imp data.DossierImport) (data.DossierResult, error)
	ImportCatalogue(ctx context.Context, imp data.CatalogueImport) (data.CatalogueVersion, error)
	ImportFeedback(ctx context.Context, imp data.FeedbackImport) (data.FeedbackResult, error)
}

// Demo766Months is how many months, up to Through, the demo gives dossier records,
// a catalogue and feedback for (the index of Decision 766, issue 17).
const Demo766Months = 12

// demoProc is a procedure of the demo catalogue.
type demoProc struct {
	data.CatalogueEntry
	maxDays float64 // the maximum in days of 24 h, roughly, for dates
}

// Catalogue766 is the demo's procedure catalogue: for each level, procedures every unit
// of the level offers, and each unit's own procedures, some announced in each of the
// last Demo766Months months (what 1.1 and 1.2 count), on time or not by the unit's pace.
func (d Demo) Catalogue766(reg *data.Registry) []data.CatalogueEntry {
	var out []data.CatalogueEntry
	for _, p := range d.procs766(reg) {
		out = append(out, p.CatalogueEntry)
	}
	for i := range out {
		out[i].Line = i + 2
	}
	return out
}

func (d Demo) procs766(reg *data.Registry) []demoProc {
	var out []demoProc
	first := d.Through.Add(1 - Demo766Months)
	mk := func(r *rng, code, name, level, unit string, announced time.Time, lead, publish int) demoProc {
		units := []string{"working_days", "working_days", "working_days", "days", "hours"}
		unitOf := units[int(r.float()*float64(len(units)))]
		maxp := float64(3 + int(r.float()*18))
		days := maxp * 7 / 5
		switch unitOf {
		case "days":
			days = maxp
		case "hours":
			maxp = float64(8 * (1 + int(r.float()*6)))
			days = maxp / 24
		}
		online := "full"
		switch x := r.float(); {
		case x < 0.08:
			online = "none"
		case x < 0.3:
			online = "partial"
		}
		fee := r.float() < 0.5
		complete := r.float() < 0.95
		e := data.CatalogueEntry{Code: code, NameVI: name, Level: level, UnitCode: unit, MaxProcessing: &maxp, MaxUnit: unitOf,
			Online: online, FullOnlineEligible: online == "full", PaperResult: r.float() < 0.4, Fee: fee,
			PaymentIntegrated: fee && r.float() < 0.85, ComponentsComplete: &complete,
			AnnouncedOn: announced, EffectiveOn: announced.AddDate(0, 0, lead*7/5), PublishedOn: announced.AddDate(0, 0, publish*7/5)}
		return demoProc{e, days}
	}
	for _, lv := range []struct {
		level, prefix string
		names         []string
	}{
		{"province", "T", provinceProcNames}, {"ministry", "B", ministryProcNames},
	} {
		for i, name := range lv.names {
			code := fmt.Sprintf("%s.%03d", lv.prefix, i+1)
			r := newRNG(d.Seed, "proc766", code)
			out = append(out, mk(r, code, name, lv.level, "", first.Add(-24).Time(), 30, 3))
		}
	}
	for _, g := range []data.Group{data.Provinces, data.Ministries} {
		level, lead, publish := "province", 5, 5
		if g == data.Ministries {
			level, lead, publish = "ministry", 20, 10
		}
		for _, u := range reg.InForce(g, d.Through) {
			pace := d.effect("announce766", u.Code)
			for k := range Demo766Months {
				m := first.Add(k)
				r := newRNG(d.Seed, "local766", u.Code, m)
				n := int(r.float() * 3)
				for j := range n {
					day := 1 + int(r.float()*27)
					announced := time.Date(m.Year(), time.Month(m.Num()), day, 0, 0, 0, 0, VietnamTime)
					// leaders announce early and publish fast; the others sometimes miss by a few days
					l, p := lead+2, publish-1
					if r.float() > logistic(1.5+pace) {
						l = lead - 1 - int(r.float()*4)
					}
					if r.float() > logistic(1.8+pace) {
						p = publish + 1 + int(r.float()*5)
					}
					code := fmt.Sprintf("%s.%s.%02d%d", strings.ToUpper(level[:1]), u.Code, k+1, j+1)
					name := fmt.Sprintf("%s (%s, tháng %02d/%d)", localProcNames[int(r.float()*float64(len(localProcNames)))], u.NameVI, m.Num(), m.Year())
					out = append(out, mk(r, code, name, level, u.Code, announced, l, p))
				}
			}
		}
	}
	return out
}

func logistic(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

var provinceProcNames = []string{
	"Cấp giấy chứng nhận đăng ký doanh nghiệp", "Cấp giấy phép xây dựng nhà ở riêng lẻ", "Cấp giấy chứng nhận quyền sử dụng đất lần đầu",
	"Đăng ký biến động đất đai", "Cấp phiếu lý lịch tư pháp", "Cấp giấy phép lái xe", "Đổi giấy phép lái xe",
	"Cấp giấy phép kinh doanh vận tải", "Cấp giấy chứng nhận đủ điều kiện an toàn thực phẩm", "Cấp giấy phép lao động cho người nước ngoài",
	"Cấp chứng chỉ hành nghề khám bệnh, chữa bệnh", "Thẩm định thiết kế xây dựng", "Cấp giấy phép môi trường",
	"Đăng ký hộ kinh doanh", "Chứng thực bản sao từ bản chính", "Đăng ký khai sinh có yếu tố nước ngoài",
	"Cấp giấy phép bán lẻ rượu", "Cấp giấy chứng nhận cơ sở đủ điều kiện kinh doanh dược", "Giải quyết trợ cấp thất nghiệp",
	"Công nhận trường đạt chuẩn quốc gia",
}

var ministryProcNames = []string{
	"Cấp giấy phép nhập khẩu", "Cấp chứng nhận xuất xứ hàng hóa", "Cấp giấy phép hoạt động báo chí", "Cấp số lưu hành thuốc",
	"Cấp giấy chứng nhận hợp quy", "Cấp giấy phép tần số vô tuyến điện", "Công nhận tổ chức đánh giá sự phù hợp",
	"Cấp phép bay", "Cấp giấy phép hoạt động khoáng sản", "Cấp chứng chỉ hành nghề kiểm toán", "Phê duyệt chương trình đào tạo",
	"Cấp giấy phép xuất bản",
}

var localProcNames = []string{
	"Hỗ trợ doanh nghiệp nhỏ và vừa", "Cấp phép khai thác nước mặt", "Hỗ trợ chuyển đổi nghề", "Cấp phép quảng cáo ngoài trời",
	"Xác nhận đủ điều kiện hỗ trợ nhà ở", "Cấp phép tổ chức lễ hội", "Hỗ trợ đào tạo nghề",
}

// Records766 are the demo's dossier records (as a CSV export with every column of issue
// 17) and feedback, for every province and ministry in force in each of the last
// Demo766Months months: a few hundred dossiers a unit and month, whose rates follow the
// unit's lasting place (leaders stay leaders) and the national curves.
func (d Demo) Records766(reg *data.Registry, dossiers io.Writer) ([]data.FeedbackRecord, error) {
	procs := d.procs766(reg)
	w := csv.NewWriter(dossiers)
	if err := w.Write([]string{"dossier_id", "unit_code", "procedure_code", "channel", "received_at", "due_at", "resolved_at", "digitized",
		"fee_required", "paid_online", "rating", "supplement_requests", "supplement_requested_at", "supplement_completed_at",
		"electronic_result", "synced", "reused_data", "citizen_store", "vneid", "complaint"}); err != nil {
		return nil, err
	}
	end := d.Through.Add(1).Time()
	endVN := time.Date(end.Year(), end.Month(), 1, 0, 0, 0, 0, VietnamTime)
	ts := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(VietnamTime).Format("2006-01-02 15:04:05")
	}
	yes := func(b bool) string {
		if b {
			return "true"
		}
		return "false"
	}
	var feedback []data.FeedbackRecord
	first := d.Through.Add(1 - Demo766Months)
	for _, g := range []data.Group{data.Provinces, data.Ministries} {
		level := "province"
		if g == data.Ministries {
			level = "ministry"
		}
		for m := first; m <= d.Through; m++ {
			for _, u := range reg.InForce(g, m) {
				if !u.ValidTo.IsZero() && u.ValidTo < d.Through {
					continue // merged since: the index is of the units as they are now
				}
				var mine []demoProc
				for _, p := range procs {
					if p.Level == level && (p.UnitCode == "" || p.UnitCode == u.Code && !p.EffectiveOn.After(m.Add(1).Time())) {
						mine = append(mine, p)
					}
				}
				q := func(kind string) float64 { return d.effect(kind+"766", reg.Current(u.Code)) }
				pOnline := logistic(logit(curve("online", m)) + 0.8*q("online"))
				pOnTime := logistic(2.6 + 0.9*q("on_time"))
				pDigit := logistic(logit(curve("digitized", m)) + 0.8*q("digitized"))
				pPay := logistic(logit(curve("payment", m)) + 0.8*q("payment"))
				pSync := logistic(3 + q("sync"))
				pReuse := logistic(0.8 + 0.8*q("reuse"))
				pStore := logistic(0.3 + 0.8*q("store"))
				pVNeID := logistic(0.5 + 0.8*q("vneid"))
				pElec := logistic(1.5 + 0.9*q("electronic"))
				pUnhappy := logistic(-4 - 0.5*q("satisfied"))
				r := newRNG(d.Seed, "dossiers766", u.Code, m)
				n := 120 + int(r.float()*240)
				if g == data.Ministries {
					n = 60 + int(r.float()*120)
				}
				start := time.Date(m.Year(), time.Month(m.Num()), 1, 0, 0, 0, 0, VietnamTime)
				span := start.AddDate(0, 1, 0).Sub(start)
				for i := range n {
					p := mine[int(r.float()*float64(len(mine)))]
					received := start.Add(time.Duration(r.float() * float64(span))).Truncate(time.Minute)
					channel := "direct"
					if p.Online != "none" && r.float() < pOnline {
						channel = "online"
					} else if r.float() < 0.05 {
						channel = "postal"
					}
					allowed := time.Duration(p.maxDays * 24 * float64(time.Hour))
					due := received.Add(allowed)
					var took time.Duration
					if r.float() < pOnTime {
						took = time.Duration((0.2 + 0.75*r.float()) * float64(allowed))
					} else {
						took = allowed + time.Duration((0.1+r.float()*2)*24*float64(time.Hour))
					}
					supp := 0
					var reqAt, doneAt time.Time
					switch x := r.float(); {
					case x < 0.01:
						supp = 2
					case x < 0.09:
						supp = 1
					}
					if supp > 0 {
						reqAt = received.Add(time.Duration(r.float() * 0.5 * float64(allowed)))
						wait := time.Duration((1 + 4*r.float()) * 24 * float64(time.Hour))
						doneAt = reqAt.Add(wait)
						took += wait
					}
					resolved := received.Add(took)
					if !resolved.Before(endVN) {
						resolved = time.Time{} // still open when the demo ends
					}
					if !doneAt.IsZero() && !doneAt.Before(endVN) {
						doneAt = time.Time{} // still waiting on the supplement
					}
					fee := p.Fee
					paid := fee && p.PaymentIntegrated && channel == "online" && r.float() < pPay/math.Max(pOnline, 0.3)
					elec := !p.PaperResult || r.float() < pElec
					rating := ""
					if !resolved.IsZero() && r.float() < 0.3 {
						rating = "satisfied"
						if r.float() < pUnhappy*8 {
							rating = "dissatisfied"
						}
					}
					suppN := ""
					if supp > 0 {
						suppN = fmt.Sprint(supp)
					} else {
						suppN = "0"
					}
					if err := w.Write([]string{fmt.Sprintf("%s-%s-%05d", u.Code, m, i+1), u.Code, p.Code, channel, ts(received),
						ts(due), ts(resolved), yes(r.float() < pDigit), yes(fee), yes(paid), rating, suppN, ts(reqAt), ts(doneAt),
						yes(elec), yes(r.float() < pSync), yes(r.float() < pReuse), yes(r.float() < pStore),
						yes(channel == "online" && r.float() < pVNeID), yes(r.float() < pUnhappy)}); err != nil {
						return nil, err
					}
				}
				// feedback: a handful a month, mostly handled within the 15 working days
				pLate := logistic(-2.5 - 0.8*q("feedback"))
				nf := 4 + int(r.float()*16)
				for i := range nf {
					received := start.Add(time.Duration(r.float() * float64(span))).Truncate(time.Minute)
					f := data.FeedbackRecord{ID: fmt.Sprintf("PA-%s-%s-%03d", u.Code, m, i+1), UnitCode: u.Code, ReceivedAt: received,
						Classified: r.float() < logistic(2.5+q("classified")), Disliked: r.float() < 0.05}
					days := 1 + int(r.float()*12)
					f.Outcome = "handled"
					switch x := r.float(); {
					case x < 0.05:
						f.Outcome, days = "refused", 1+int(r.float()*2)
					case x < 0.1:
						f.Outcome, days = "supplement_requested", 1+int(r.float()*5)
					}
					if r.float() < pLate {
						days = 17 + int(r.float()*10)
					}
					f.HandledAt = received.AddDate(0, 0, days*7/5)
					if !f.HandledAt.Before(endVN) {
						f.Outcome, f.HandledAt = "open", time.Time{}
					}
					feedback = append(feedback, f)
				}
			}
		}
	}
	for i := range feedback {
		feedback[i].Line = i + 2
	}
	w.Flush()
	return feedback, w.Error()
}

func logit(p float64) float64 {
	p = math.Min(math.Max(p, 1e-4), 1-1e-4)
	return math.Log(p / (1 - p))
}

// load766 stores the demo's catalogue, dossiers and feedback through the store's own
// imports, as files a committee member would send. A dossier export replaces the
// dossier figures of the unit-months it covers; the demo's records are a sample of a few
// hundred dossiers a unit and month, so the monthly reports (subs) are sent again after
// them and stay the figures the other indicators read, as when a unit corrects its
// figures after an export.
func (d Demo) load766(ctx context.Context, reg *data.Registry, s Records766Submitter, sub Submitter, subs []data.Submission) error {
	first := d.Through.Add(1 - Demo766Months)
	at := d.Through.Add(1).Time().Add(8 * time.Hour)
	now := at
	cat := d.Catalogue766(reg)
	if _, err := s.ImportCatalogue(ctx, data.CatalogueImport{SHA256: demoSHA(fmt.Sprint(d.Seed, "catalogue", d.Through)),
		FileName: "demo-danh-muc-thu-tuc.csv", Actor: "demo", At: at, InForceFrom: first.Time(), Entries: cat}); err != nil {
		return fmt.Errorf("seed demo catalogue: %w", err)
	}
	f, err := os.CreateTemp("", "egovkpi-demo-dossiers-*.csv")
	if err != nil {
		return err
	}
	defer func() { _ = os.Remove(f.Name()) }() // a temporary file
	h := sha256.New()
	bw := bufio.NewWriterSize(io.MultiWriter(f, h), 1<<20)
	feedback, err := d.Records766(reg, bw)
	if err == nil {
		err = bw.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("seed demo dossiers: %w", err)
	}
	sha := hex.EncodeToString(h.Sum(nil))
	if _, err := s.IngestDossiers(ctx, data.DossierImport{Path: f.Name(), Format: "csv", SHA256: sha, Actor: "demo",
		FileName: "demo-ho-so.csv", Confirm: true, Now: now}); err != nil {
		return fmt.Errorf("seed demo dossiers: %w", err)
	}
	if _, err := s.ImportFeedback(ctx, data.FeedbackImport{SHA256: demoSHA(fmt.Sprint(d.Seed, "feedback", d.Through)),
		FileName: "demo-phan-anh.csv", Actor: "demo", At: at, Records: feedback, Now: now}); err != nil {
		return fmt.Errorf("seed demo feedback: %w", err)
	}
	var again []data.Submission
	for _, x := range subs {
		if x.Month >= first {
			again = append(again, x)
		}
	}
	if _, err := sub.Submit(ctx, again); err != nil {
		return fmt.Errorf("seed demo: %w", err)
	}
	return nil
}

func demoSHA(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}
