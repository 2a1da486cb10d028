package ingest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/egovkpi/egovkpi/data"
)

type rig struct {
	t     *testing.T
	store *data.Store
	in    *Ingester
}

func newRig(t *testing.T) *rig {
	t.Helper()
	dir := t.TempDir()
	store, err := data.Open(context.Background(), filepath.Join(dir, "i.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	rules := testRules(t)
	return &rig{t: t, store: store, in: &Ingester{Store: store, Rules: rules, FilesDir: filepath.Join(dir, "i.files"),
		Now: func() time.Time { return time.Date(2026, 11, 5, 9, 0, 0, 0, VietnamTime) }}}
}

// testRules are the shipped rules, read from the definitions file the binary embeds.
func testRules(t *testing.T) []data.Rule {
	t.Helper()
	return shippedRules
}

func (r *rig) ingest(name string, content []byte, mod ...func(*Request)) *Outcome {
	r.t.Helper()
	req := Request{Name: name, Content: content, Actor: "officer01", Source: "upload"}
	for _, m := range mod {
		m(&req)
	}
	res, err := r.in.Ingest(context.Background(), req)
	if err != nil {
		r.t.Fatal(err)
	}
	return res
}

func (r *rig) submissions() int {
	cov, _ := r.store.Coverage(context.Background())
	return cov.Submissions
}

func wide(rows ...string) []byte {
	return []byte("Mã đơn vị,Kỳ báo cáo,Số hồ sơ tiếp nhận,Số hồ sơ tiếp nhận trực tuyến,Số hồ sơ đã giải quyết,Số hồ sơ giải quyết đúng hạn (trước và đúng hạn)\n" + strings.Join(rows, "\n") + "\n")
}

func TestAcceptedWholeOrRejectedWhole(t *testing.T) {
	r := newRig(t)
	// the second row breaks a rule: nothing of the file is written
	res := r.ingest("two.csv", wide("01,2026-10,100,50,90,80", "79,2026-10,100,150,90,80"))
	if res.Accepted || len(res.Errors) != 1 || !strings.Contains(res.Errors[0].Message, "trực tuyến không được lớn hơn") || res.Errors[0].Row != 3 {
		t.Fatalf("result: %+v", res)
	}
	if r.submissions() != 0 {
		t.Fatal("a rejected file wrote something")
	}
	res = r.ingest("two.csv", wide("01,2026-10,100,50,90,80", "79,2026-10,100,60,90,80"))
	if !res.Accepted || len(res.Receipts) != 2 || res.Receipts[0].Version != 1 {
		t.Fatalf("result: %+v", res)
	}
	if r.submissions() != 2 {
		t.Errorf("%d submissions", r.submissions())
	}
}

func TestEveryProblemAtOnce(t *testing.T) {
	r := newRig(t)
	if err := r.store.LockMonth(context.Background(), data.NewMonth(2026, 9), "committee1"); err != nil {
		t.Fatal(err)
	}
	res := r.ingest("bad.csv", wide(
		"01,2026-10,100,50,90,95", // on time > resolved
		"99,2026-10,1,1,1,1",      // no such unit
		"79,2027-01,1,1,1,1",      // future
		"48,2026-09,1,1,1,1",      // locked
		"04,2026-10,12a,1,1,1",    // not a number
	))
	if res.Accepted {
		t.Fatal("accepted")
	}
	var got []string
	for _, p := range res.Errors {
		got = append(got, p.String())
	}
	all := strings.Join(got, "\n")
	for _, want := range []string{"dòng 2: Số hồ sơ giải quyết đúng hạn không được lớn hơn", `dòng 3: Mã đơn vị "99" không tồn tại`, "dòng 4: Kỳ báo cáo 2027-01 ở tương lai", "dòng 5: Tháng 2026-09 đã bị khóa bởi committee1", `dòng 6: Số hồ sơ tiếp nhận: "12a" không phải là số`} {
		if !strings.Contains(all, want) {
			t.Errorf("missing %q in\n%s", want, all)
		}
	}
	if r.submissions() != 0 {
		t.Error("something was written")
	}
	en := r.ingest("bad.csv", wide("99,2026-10,1,1,1,1"), func(q *Request) { q.Lang = "en" })
	if !strings.Contains(en.Errors[0].Message, `Unit "99" does not exist`) {
		t.Errorf("English: %v", en.Errors)
	}
}

func TestOtherUnitRefused(t *testing.T) {
	r := newRig(t)
	own := func(unit string) error {
		if unit != "01" {
			return fmt.Errorf("%w: officer01 writes only unit 01", data.ErrForbidden)
		}
		return nil
	}
	res := r.ingest("two.csv", wide("01,2026-10,100,50,90,80", "79,2026-10,100,60,90,80"), func(q *Request) { q.Allow = own })
	if res.Status != StatusForbidden || !errors.Is(res.Reason, data.ErrForbidden) || r.submissions() != 0 {
		t.Fatalf("another unit's row: %+v", res)
	}
}

func TestVersionsIdenticalAndDryRun(t *testing.T) {
	r := newRig(t)
	f1 := wide("01,2026-10,100,50,90,80")
	dry := r.ingest("a.csv", f1, func(q *Request) { q.DryRun = true })
	if !dry.Accepted || dry.Receipts[0].Status != "dry_run" || r.submissions() != 0 {
		t.Fatalf("dry run wrote or failed: %+v", dry)
	}
	first := r.ingest("a.csv", f1)
	again := r.ingest("a-copy.csv", f1)
	if !again.Identical || again.Receipts[0].ID != first.Receipts[0].ID || r.submissions() != 1 {
		t.Fatalf("identical re-upload: %+v", again)
	}
	second := r.ingest("b.csv", wide("01,2026-10,100,60,90,80"))
	if second.Receipts[0].Version != 2 {
		t.Fatalf("second version: %+v", second.Receipts)
	}
	subs, _ := r.store.Submissions(context.Background(), data.SubmissionFilter{Unit: "01"})
	if len(subs) != 2 || subs[1].Status != data.StatusSuperseded || subs[1].Values["dossiers_received_online"] != 50 {
		t.Errorf("versions: %+v", subs)
	}
	es, _ := r.store.AuditLog(context.Background(), data.AuditFilter{Action: "supersede"})
	if len(es) != 1 || fmt.Sprint(es[0].Detail["changes"]) != "map[dossiers_received_online:[50 60]]" {
		t.Errorf("audit: %+v", es)
	}
	// a partial report: the measures it lacks are not carried over from version 2
	third := r.ingest("c.csv", []byte("unit,period,dossiers_received\n01,2026-10,120\n"))
	if len(third.Receipts[0].Missing) != 15 {
		t.Errorf("missing: %v", third.Receipts[0].Missing)
	}
	cur, _ := r.store.CurrentValues(context.Background(), data.NewMonth(2026, 10))
	if len(cur["01"]) != 1 || cur["01"]["dossiers_received"] != 120 {
		t.Errorf("current values after a partial report: %v", cur["01"])
	}
}

func TestJumpIsAWarning(t *testing.T) {
	r := newRig(t)
	r.ingest("sep.csv", wide("01,2026-09,1000,500,900,800"))
	res := r.ingest("oct.csv", wide("01,2026-10,6000,500,900,800"))
	if !res.Accepted || len(res.Warnings) != 1 || res.Warnings[0].Field != "dossiers_received" || len(res.Receipts[0].Warnings) != 1 {
		t.Fatalf("jump: %+v", res)
	}
}

func TestRebuildEqualsLive(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	// the demo as served, with its 766 records: its dossier export's versions carry the
	// demo's own date, so the rebuild's replay of it must give the same versions and last change
	d := Demo{Seed: 1, Through: data.NewMonth(2025, 12), With766: true}
	if _, err := d.Load(ctx, r.store.Units(), r.store); err != nil {
		t.Fatal(err)
	}
	if err := r.in.RecordDemo(d); err != nil {
		t.Fatal(err)
	}
	r.ingest("a.csv", wide("01,2026-10,100,50,90,80"))
	r.ingest("b.csv", wide("01,2026-10,100,60,90,80", "79,2026-10,10,5,9,9"))
	r.ingest("c.csv", wide("01,2025-12,100,60,90,80"))

	other, err := data.Open(ctx, filepath.Join(t.TempDir(), "rebuilt.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = other.Close() }()
	target := &Ingester{Store: other, Rules: r.in.Rules, FilesDir: filepath.Join(t.TempDir(), "rebuilt.files"), Now: r.in.Now}
	n, err := Rebuild(ctx, r.in.FilesDir, target, nil)
	if err != nil || n != 4 {
		t.Fatalf("rebuild: %d files, %v", n, err)
	}
	for _, m := range []data.Month{data.NewMonth(2025, 12), data.NewMonth(2026, 10), data.NewMonth(2024, 3), data.NewMonth(2025, 6)} {
		a, _ := r.store.CurrentValues(ctx, m)
		b, _ := other.CurrentValues(ctx, m)
		if fmt.Sprint(a) != fmt.Sprint(b) {
			t.Errorf("%s differs after rebuild", m)
		}
	}
	// the 766 records replayed too: the same counts for a month and a half-year of them (the
	// reports sent again after the dossiers keep CurrentValues blind to the records)
	cal, err := data.DefaultCalendar()
	if err != nil {
		t.Fatal(err)
	}
	rules := data.Index766Rules{AnnounceLead: map[string]int{"ministry": 20, "province": 5}, PublishWithin: map[string]int{"ministry": 10, "province": 5},
		FeedbackDays: map[string]int{"handled": 15, "refused": 2, "supplement_requested": 5}}
	units := []data.Index766Unit{{Code: "01", Kind: "province"}, {Code: "79", Kind: "province"}, {Code: "BTC", Kind: "ministry"}}
	for _, p := range []data.Period{data.MonthPeriod(data.NewMonth(2025, 11)), data.HalfPeriod(2025, 2)} {
		a, err := r.store.Index766Counts(ctx, cal, rules, p, units)
		if err != nil {
			t.Fatal(err)
		}
		b, err := other.Index766Counts(ctx, cal, rules, p, units)
		if err != nil {
			t.Fatal(err)
		}
		if a["01"].Received == 0 || a["01"].FeedbackReceived == 0 || a["01"].ProcsInForce == 0 {
			t.Errorf("%s: the demo's 766 records are missing: %+v", p, *a["01"])
		}
		for _, u := range units {
			if x, y := counts766(*a[u.Code]), counts766(*b[u.Code]); x != y {
				t.Errorf("%s %s: 766 counts differ after rebuild:\n%s\n%s", p, u.Code, x, y)
			}
		}
	}
	ca, _ := r.store.Coverage(ctx)
	cb, _ := other.Coverage(ctx)
	if ca.FirstMonth != cb.FirstMonth || ca.LastMonth != cb.LastMonth || ca.Units != cb.Units || ca.Submissions != cb.Submissions || !ca.LastChange.Equal(*cb.LastChange) {
		t.Errorf("coverage %+v vs %+v", ca, cb)
	}
}

// counts766 prints a unit's 766 counts whole: durations are summed in whole microseconds
// and divided once, so they are equal to the last bit whatever order DuckDB sums in (a
// sum of floating-point days was not: CI saw 164.142188 against 164.142187).
func counts766(c data.Index766Counts) string {
	return fmt.Sprintf("%+v", c)
}

// BenchmarkIngestOneFile is one template-sized upload end to end: parse, validate, keep,
// write (a new version each time).
func BenchmarkIngestOneFile(b *testing.B) {
	store, _ := data.Open(context.Background(), filepath.Join(b.TempDir(), "b.duckdb"))
	defer func() { _ = store.Close() }()
	in := &Ingester{Store: store, Rules: shippedRules, FilesDir: filepath.Join(b.TempDir(), "files")}
	u, _ := data.Reference().At("01", data.NewMonth(2026, 10))
	tpl, _ := Template(u, data.NewMonth(2026, 10), nil)
	_ = tpl
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		content := []byte(fmt.Sprintf("Mã đơn vị,01\nKỳ báo cáo,2026-10\nMã chỉ tiêu,Giá trị\nprocedures_total,%d\nprocedures_online_full,1700\ndossiers_received,120000\ndossiers_received_online,90000\ndossiers_resolved,110000\ndossiers_resolved_on_time,105000\n", 1800+i))
		res, err := in.Ingest(context.Background(), Request{Name: "t.csv", Content: content, Actor: "bench", Source: "bench"})
		if err != nil || !res.Accepted {
			b.Fatal(err, res.Errors)
		}
	}
}

// Benchmark34Files ingests 34 provinces' template files one after another.
func Benchmark34Files(b *testing.B) {
	store, _ := data.Open(context.Background(), filepath.Join(b.TempDir(), "b.duckdb"))
	defer func() { _ = store.Close() }()
	in := &Ingester{Store: store, Rules: shippedRules, FilesDir: filepath.Join(b.TempDir(), "files")}
	units := data.Reference().InForce(data.Provinces, data.NewMonth(2026, 10))
	files := make([][][]byte, b.N)
	for i := range files {
		for _, u := range units {
			tpl, _ := Template(u, data.NewMonth(2026, 10), nil)
			files[i] = append(files[i], fillTemplate(b, tpl, int64(1000+i)))
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, f := range files[i] {
			res, err := in.Ingest(context.Background(), Request{Name: "t.xlsx", Content: f, Actor: "bench", Source: "bench"})
			if err != nil || !res.Accepted {
				b.Fatal(err, res.Errors)
			}
		}
	}
}

// BenchmarkWide50k ingests one wide file of 50,000 rows (units × months).
func BenchmarkWide50k(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("Mã đơn vị,Kỳ báo cáo,Số hồ sơ tiếp nhận,Số hồ sơ tiếp nhận trực tuyến,Số hồ sơ đã giải quyết,Số hồ sơ giải quyết đúng hạn (trước và đúng hạn)\n")
	reg := data.Reference()
	rows := 0
	for m := data.NewMonth(1900, 1); rows < 50000; m++ {
		for _, u := range reg.InForce(data.Provinces, data.NewMonth(2026, 10)) {
			fmt.Fprintf(&sb, "%s,%s,%d,%d,%d,%d\n", u.Code, m, 1000+rows%97, 500, 900, 850)
			rows++
			if rows == 50000 {
				break
			}
		}
	}
	content := []byte(sb.String())
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		store, _ := data.Open(context.Background(), filepath.Join(b.TempDir(), "w.duckdb"))
		in := &Ingester{Store: store, Rules: shippedRules}
		b.StartTimer()
		res, err := in.Ingest(context.Background(), Request{Name: "wide.csv", Content: content, Actor: "bench", Source: "bench"})
		if err != nil || !res.Accepted {
			b.Fatal(err, res.Errors[:min(3, len(res.Errors))])
		}
		b.StopTimer()
		_ = store.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(rows), "rows")
}

// BenchmarkParse20MB parses a 20 MB wide CSV and reports the heap it needed.
func BenchmarkParse20MB(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("Mã đơn vị,Kỳ báo cáo,Số hồ sơ tiếp nhận,Số hồ sơ tiếp nhận trực tuyến,Số hồ sơ đã giải quyết,Số hồ sơ giải quyết đúng hạn (trước và đúng hạn),Tổng số văn bản đi,docs_electronic\n")
	reg := data.Reference()
	units := reg.InForce(data.Provinces, data.NewMonth(2026, 10))
	rows := 0
	for k := 0; sb.Len() < 20<<20; k++ {
		m := data.NewMonth(1900, 1).Add(k % 12000) // parsing does not look for repeats
		for _, u := range units {
			fmt.Fprintf(&sb, "%s,%s,%d,%d,%d,%d,%d,%d\n", u.Code, m, 100000+rows%997, 50000, 90000, 85000, 4000, 3900)
			rows++
		}
	}
	benchParsePeak(b, "big.csv", []byte(sb.String()), rows) // an exact copy, as above
}

// BenchmarkParse20MBXLSX parses a 20 MB wide workbook (the same table as Parse20MB,
// written with excelize's StreamWriter) and reports the heap it needed.
func BenchmarkParse20MBXLSX(b *testing.B) {
	n := 655_000 // ≈ 20 MB of workbook
	if v, err := strconv.Atoi(os.Getenv("EGOVKPI_BENCH_XLSX_ROWS")); err == nil {
		n = v
	}
	content, rows := wideWorkbook(b, n)
	benchParsePeak(b, "big.xlsx", content, rows)
}

// wideWorkbook writes the table of Parse20MB with excelize's StreamWriter, n rows or a few
// more, and returns the file alone (what making it needed is garbage by then).
func wideWorkbook(b *testing.B, n int) ([]byte, int) {
	f := excelize.NewFile()
	defer func() { _ = f.Close() }()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		b.Fatal(err)
	}
	if err := sw.SetRow("A1", []any{"Mã đơn vị", "Kỳ báo cáo", "Số hồ sơ tiếp nhận", "Số hồ sơ tiếp nhận trực tuyến", "Số hồ sơ đã giải quyết",
		"Số hồ sơ giải quyết đúng hạn (trước và đúng hạn)", "Tổng số văn bản đi", "docs_electronic"}); err != nil {
		b.Fatal(err)
	}
	units := data.Reference().InForce(data.Provinces, data.NewMonth(2026, 10))
	rows := 0
	for k := 0; rows < n; k++ {
		m := data.NewMonth(1900, 1).Add(k % 12000)
		for _, u := range units {
			cell, _ := excelize.CoordinatesToCellName(1, rows+2)
			if err := sw.SetRow(cell, []any{u.Code, m.String(), 100000 + rows%997, 50000, 90000, 85000, 4000, 3900}); err != nil {
				b.Fatal(err)
			}
			rows++
		}
	}
	_ = sw.Flush()
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		b.Fatal(err)
	}
	return bytes.Clone(buf.Bytes()), rows // an exact copy: the buffer's spare capacity is not the file's
}

// benchParsePeak parses content b.N times and reports the peak heap in use while it did,
// sampled every millisecond, the file's own bytes included.
func benchParsePeak(b *testing.B, name string, content []byte, rows int) {
	reg := data.Reference()
	peak := uint64(0) // the highest of every run
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		// twice: what waits on a finalizer (the generator's temporary files) goes in the second
		runtime.GC()
		runtime.GC()
		stop, done := make(chan struct{}), make(chan struct{})
		go func() {
			defer close(done)
			var ms runtime.MemStats
			for {
				select {
				case <-stop:
					return
				case <-time.After(time.Millisecond):
					runtime.ReadMemStats(&ms)
					peak = max(peak, ms.HeapInuse)
				}
			}
		}()
		p, probs := Parse(name, content, reg, "vi")
		close(stop)
		<-done
		if len(probs) > 0 || p.Len() != rows {
			b.Fatalf("%d reports, %v", p.Len(), probs[:min(3, len(probs))])
		}
		b.ReportMetric(float64(peak)/(1<<20), "MB-peak-heap")
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "MB-live-after") // the file and its reports
		runtime.KeepAlive(p)
	}
	b.ReportMetric(float64(len(content))/(1<<20), "MB-file")
}

func fillTemplate(b testing.TB, tpl []byte, v int64) []byte {
	f, _ := excelize.OpenReader(bytes.NewReader(tpl))
	for r := 7; r <= 22; r++ {
		if err := f.SetCellValue(TemplateSheet, fmt.Sprintf("D%d", r), v); err != nil {
			b.Fatal(err)
		}
	}
	if err := f.SetCellValue(TemplateSheet, "D7", 3*v); err != nil { // all procedures ≥ full + partial
		b.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}
