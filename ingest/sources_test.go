package ingest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/egovkpi/egovkpi/data"
)

const dossierHead = "dossier_id,unit_code,procedure_code,channel,received_at,due_at,resolved_at,digitized,fee_required,paid_online,rating\n"

// dossiers sends an export through the one way in, as the scheduler and an upload do,
// and returns what it became and why it was refused.
func (r *rig) dossiers(name, content string, allow func(string) error) (data.DossierResult, error) {
	o, err := r.in.Ingest(context.Background(), Request{Name: name, Content: []byte(content), Actor: "source:hn", Allow: allow})
	if err != nil {
		return data.DossierResult{}, err
	}
	var res data.DossierResult
	if o.Dossiers != nil {
		res.Rows, res.UnitMonths = o.Dossiers.Rows, o.Dossiers.UnitMonths
	}
	res.Identical = o.Identical
	if o.Reason != nil {
		return res, o.Reason
	}
	return res, nil
}

func TestDossierAggregationEdges(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	// a report already there: its other measures stay
	r.ingest("oct.csv", []byte("unit,period,docs_total,docs_electronic\n01,2026-10,50,45\n"))
	export := dossierHead +
		// resolved exactly at the due time: on time
		"A1,01,P1,online,2026-10-02 08:00:00,2026-10-10 17:00:00,2026-10-10 17:00:00,true,true,true,satisfied\n" +
		// resolved a second late
		"A2,01,P1,direct,2026-10-03 08:00:00,2026-10-10 17:00:00,2026-10-10 17:00:01,false,true,false,dissatisfied\n" +
		// received in October, resolved in November: received counts in October, resolved in November
		"A3,01,P2,online,2026-10-25 08:00:00,2026-11-05 17:00:00,2026-11-03 09:00:00,true,false,false,\n" +
		// open and past its due date: overdue in October (due 10-20) and November
		"A4,01,P2,postal,2026-10-05 08:00:00,2026-10-20 17:00:00,,false,false,false,\n"
	res, err := r.dossiers("d.csv", export, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Rows != 4 || res.UnitMonths != 2 {
		t.Fatalf("result %+v", res)
	}
	oct, _ := r.store.CurrentValues(ctx, data.NewMonth(2026, 10))
	nov, _ := r.store.CurrentValues(ctx, data.NewMonth(2026, 11))
	want := map[string]int64{"dossiers_received": 4, "dossiers_received_online": 2, "dossiers_digitized": 2, "payments_total": 2, "payments_online": 1,
		"dossiers_resolved": 2, "dossiers_resolved_on_time": 1, "feedback_total": 2, "feedback_satisfied": 1, "dossiers_overdue": 1,
		"docs_total": 50, "docs_electronic": 45}
	if fmt.Sprint(oct["01"]) != fmt.Sprint(want) {
		t.Errorf("October:\n got %v\nwant %v", oct["01"], want)
	}
	if nov["01"]["dossiers_resolved"] != 1 || nov["01"]["dossiers_resolved_on_time"] != 1 || nov["01"]["dossiers_received"] != 0 || nov["01"]["dossiers_overdue"] != 1 {
		t.Errorf("November: %v", nov["01"])
	}
	// which dossiers were late in October, in which procedure: A2 resolved a second late
	// (P1), A4 open 11 days 7 hours past its due time at the month's end (P2)
	late, err := r.store.LateDossiers(ctx, data.LateQuery{Units: []string{"01"}, Month: data.NewMonth(2026, 10), Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if late.Resolved != 2 || late.ResolvedLate != 1 || late.Overdue != 1 ||
		fmt.Sprint(late.Procedures) != "[{P1 {2 1 0}} {P2 {0 0 1}}]" || fmt.Sprint(late.Units) != "[{01 {2 1 1}}]" || len(late.Dossiers) != 2 || late.Truncated {
		t.Errorf("late in October: %+v", late)
	} else if a4, a2 := late.Dossiers[0], late.Dossiers[1]; a4.DossierID != "A4" || !a4.Open || a4.ResolvedAt != nil || fmt.Sprintf("%.4f", *a4.DaysLate) != "11.2917" ||
		a2.DossierID != "A2" || a2.Open || a2.ResolvedAt == nil || *a2.DaysLate*86400 < 0.999 || *a2.DaysLate*86400 > 1.001 {
		t.Errorf("late dossiers in October: %+v %+v", late.Dossiers[0], late.Dossiers[1])
	}
	// an overlapping re-export: A4 now resolved on 11-02 (late), A5 new; nothing counted twice
	again := dossierHead +
		"A4,01,P2,postal,2026-10-05 08:00:00,2026-10-20 17:00:00,2026-11-02 10:00:00,false,false,false,satisfied\n" +
		"A5,01,P1,online,2026-11-01 08:00:00,2026-11-09 17:00:00,,true,false,false,\n"
	if _, err := r.dossiers("d2.csv", again, nil); err != nil {
		t.Fatal(err)
	}
	oct, _ = r.store.CurrentValues(ctx, data.NewMonth(2026, 10))
	nov, _ = r.store.CurrentValues(ctx, data.NewMonth(2026, 11))
	if oct["01"]["dossiers_received"] != 4 || oct["01"]["dossiers_overdue"] != 1 {
		t.Errorf("October after the re-export: %v", oct["01"])
	}
	if nov["01"]["dossiers_resolved"] != 2 || nov["01"]["dossiers_resolved_on_time"] != 1 || nov["01"]["dossiers_received"] != 1 || nov["01"]["dossiers_overdue"] != 1 || nov["01"]["feedback_satisfied"] != 1 {
		// A4 is resolved now; A5, due 11-09 and open at the end of November, is overdue
		t.Errorf("November after the re-export: %v", nov["01"])
	}
	// the same export again changes nothing
	if res, _ := r.dossiers("d2.csv", again, nil); !res.Identical {
		t.Error("the identical export was ingested again")
	}
	// a bad export changes nothing
	before, _ := r.store.Coverage(ctx)
	bad := dossierHead + "B1,01,P1,fax,2026-10-02 08:00:00,2026-10-10 17:00:00,,true,true,true,\n"
	if _, err := r.dossiers("bad.csv", bad, nil); err == nil || !strings.Contains(err.Error(), "channel") {
		t.Errorf("bad channel: %v", err)
	}
	other := dossierHead + "C1,79,P1,online,2026-10-02 08:00:00,2026-10-10 17:00:00,,true,true,true,\n"
	deny := func(u string) error {
		if u != "01" {
			return fmt.Errorf("%w: not yours", data.ErrForbidden)
		}
		return nil
	}
	if _, err := r.dossiers("o.csv", other, deny); err == nil {
		t.Error("another unit's dossiers were taken")
	}
	refused := []string{bad, other}
	for _, tc := range []struct{ name, content, want string }{
		{"a dossier twice", dossierHead + "D1,01,P1,online,2026-10-02 08:00:00,2026-10-10 17:00:00,,true,true,true,\n" +
			"D1,01,P1,direct,2026-10-03 08:00:00,2026-10-10 17:00:00,,true,true,true,\n", `dossier id "D1" appears twice in the file`},
		{"a dossier thrice", dossierHead + strings.Repeat("D2,01,P1,online,2026-10-02 08:00:00,2026-10-10 17:00:00,,true,true,true,\n", 3),
			`dossier ids appear more than once in the file, 2 rows too many (first: "D2")`},
		{"no id", dossierHead + ",01,P1,online,2026-10-02 08:00:00,2026-10-10 17:00:00,,true,true,true,\n", "lack an id"},
		{"no unit", dossierHead + "E1,,P1,online,2026-10-02 08:00:00,2026-10-10 17:00:00,,true,true,true,\n", "lack an id"},
		{"unknown unit", dossierHead + "E2,99,P1,online,2026-10-02 08:00:00,2026-10-10 17:00:00,,true,true,true,\n", `unit "99" does not exist`},
		{"not a time", dossierHead + "E3,01,P1,online,yesterday,2026-10-10 17:00:00,,true,true,true,\n", "cannot be read"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := r.dossiers("bad.csv", tc.content, nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want %q", err, tc.want)
			}
		})
		refused = append(refused, tc.content)
	}
	// a locked month takes no dossiers either
	if err := r.store.LockMonth(ctx, data.NewMonth(2026, 10), "committee"); err != nil {
		t.Fatal(err)
	}
	lockedExport := dossierHead + "L1,01,P1,online,2026-10-02 08:00:00,2026-10-10 17:00:00,,true,true,true,\n"
	if _, err := r.dossiers("l.csv", lockedExport, nil); !errors.Is(err, data.ErrMonthLocked) {
		t.Errorf("a locked month: %v", err)
	}
	refused = append(refused, lockedExport)
	r.store.UnlockMonth(ctx, data.NewMonth(2026, 10), "committee")
	after, _ := r.store.Coverage(ctx)
	if before.Submissions != after.Submissions {
		t.Error("a refused export wrote something")
	}
	for _, c := range refused {
		sum := sha256.Sum256([]byte(c))
		if kept, err := r.store.DossiersImported(ctx, hex.EncodeToString(sum[:])); kept || err != nil {
			t.Errorf("the rows of a refused export were kept (%v): %.80q", err, c)
		}
	}
	// Parquet export partitioned by month, and back in as Parquet
	dir := t.TempDir()
	if n, err := r.store.ExportDossiers(ctx, dir); err != nil || n != 5 {
		t.Fatalf("exported %d dossiers: %v", n, err)
	}
	parts, _ := filepath.Glob(filepath.Join(dir, "month=*", "*.parquet"))
	if len(parts) != 2 {
		t.Errorf("partitions: %v", parts)
	}
}

func sourcesRig(t *testing.T, srcs ...Source) (*Scheduler, *rig) {
	r := newRig(t)
	return &Scheduler{Sources: srcs, Ingester: r.in, Dossiers: r.store, History: r.store}, r
}

func TestHTTPSources(t *testing.T) {
	var fails atomic.Int32
	fails.Store(2)
	mux := http.NewServeMux()
	mux.HandleFunc("/json", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer s3cret" {
			http.Error(w, "no", 401)
			return
		}
		fmt.Fprint(w, `{"data":[{"maDonVi":"01","ky":"2026-10","hoSoTiepNhan":120,"hoSoTrucTuyen":100}]}`)
	})
	mux.HandleFunc("/flaky.csv", func(w http.ResponseWriter, r *http.Request) {
		if fails.Add(-1) >= 0 {
			http.Error(w, "busy", 503)
			return
		}
		fmt.Fprint(w, "unit,period,docs_total,docs_electronic\n79,2026-10,10,9\n")
	})
	mux.HandleFunc("/missing", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "gone", 404) })
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(3 * time.Second):
		case <-r.Context().Done():
		}
	})
	mux.HandleFunc("/garbage", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "<html>not data</html>") })
	srv := httptest.NewServer(mux)
	defer srv.Close()
	t.Setenv("HN_TOKEN", "Bearer s3cret")
	s, r := sourcesRig(t,
		Source{Name: "hn", Kind: "http", URL: srv.URL + "/json", Format: "json", UnitKey: "maDonVi", Period: "ky",
			Mapping: map[string]string{"hoSoTiepNhan": "dossiers_received", "hoSoTrucTuyen": "dossiers_received_online"},
			Headers: map[string]string{"Authorization": "env:HN_TOKEN"}},
		Source{Name: "flaky", Kind: "http", URL: srv.URL + "/flaky.csv", Format: "csv", Retries: 3},
		Source{Name: "missing", Kind: "http", URL: srv.URL + "/missing", Format: "csv", Retries: 3},
		Source{Name: "slow", Kind: "http", URL: srv.URL + "/slow", Format: "csv", Timeout: "200ms"},
		Source{Name: "garbage", Kind: "http", URL: srv.URL + "/garbage", Format: "json"},
	)
	ctx := context.Background()
	run := func(name, outcome string) data.Run {
		t.Helper()
		res, err := s.Run(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		if res.Outcome != outcome {
			t.Errorf("%s: %s (%s), want %s", name, res.Outcome, res.Message, outcome)
		}
		return res
	}
	run("hn", "ok")
	cur, _ := r.store.CurrentValues(ctx, data.NewMonth(2026, 10))
	if cur["01"]["dossiers_received"] != 120 || cur["01"]["dossiers_received_online"] != 100 {
		t.Errorf("mapped values: %v", cur["01"])
	}
	run("hn", "unchanged")
	run("flaky", "ok") // two 503s, then the answer
	start := time.Now()
	m := run("missing", "failed")
	if !strings.Contains(m.Message, "404") || time.Since(start) > 150*time.Millisecond {
		t.Errorf("a 404 was retried or misreported: %s in %s", m.Message, time.Since(start))
	}
	sl := run("slow", "failed")
	if !strings.Contains(sl.Message, "deadline") && !strings.Contains(sl.Message, "Timeout") {
		t.Errorf("slow: %s", sl.Message)
	}
	run("garbage", "failed")
	runs, _ := r.store.Runs(ctx, "", 0)
	if len(runs) != 6 {
		t.Errorf("%d runs recorded", len(runs))
	}
	// an overlapping run is skipped, and the skip recorded
	lock := s.lockFor("hn")
	lock.Lock()
	run("hn", "skipped")
	lock.Unlock()
}

func TestDropFolder(t *testing.T) {
	dir := t.TempDir()
	s, r := sourcesRig(t, Source{Name: "drop", Kind: "folder", Path: dir})
	ctx := context.Background()
	good := filepath.Join(dir, "bao-cao.csv")
	os.WriteFile(good, []byte("unit,period,docs_total,docs_electronic\n01,2026-10,10,9\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "sai.csv"), []byte("unit,period,docs_total,docs_electronic\n01,2026-10,10,90\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "dang-chep.csv.part"), []byte("unit,per"), 0o644)
	old := time.Now().Add(-time.Minute)
	os.Chtimes(good, old, old)
	os.Chtimes(filepath.Join(dir, "sai.csv"), old, old)
	first, _ := s.Run(ctx, "drop")
	if !strings.Contains(first.Message, "0 files accepted") {
		t.Errorf("first scan read files that might still be copying: %s", first.Message)
	}
	second, _ := s.Run(ctx, "drop")
	if second.Outcome != "rejected" || !strings.Contains(second.Message, "1 files accepted, 1 rejected") {
		t.Errorf("second scan: %s %s", second.Outcome, second.Message)
	}
	processed, _ := filepath.Glob(filepath.Join(dir, "processed", "*bao-cao.csv"))
	rejected, _ := filepath.Glob(filepath.Join(dir, "rejected", "*sai.csv"))
	reports, _ := filepath.Glob(filepath.Join(dir, "rejected", "*.loi.txt"))
	if len(processed) != 1 || len(rejected) != 1 || len(reports) != 1 {
		t.Errorf("moved: %v %v %v", processed, rejected, reports)
	}
	if _, err := os.Stat(filepath.Join(dir, "dang-chep.csv.part")); err != nil {
		t.Error("a half-written .part file was taken")
	}
	cur, _ := r.store.CurrentValues(ctx, data.NewMonth(2026, 10))
	if cur["01"]["docs_electronic"] != 9 {
		t.Errorf("values: %v", cur["01"])
	}
	// a file that grows between scans waits
	growing := filepath.Join(dir, "lon.csv")
	os.WriteFile(growing, []byte("unit,period,docs_total\n"), 0o644)
	os.Chtimes(growing, old, old)
	s.Run(ctx, "drop")
	os.WriteFile(growing, []byte("unit,period,docs_total\n04,2026-10,3\n"), 0o644)
	os.Chtimes(growing, old.Add(time.Second), old.Add(time.Second))
	third, _ := s.Run(ctx, "drop")
	if !strings.Contains(third.Message, "1 waiting") {
		t.Errorf("a growing file was read: %s", third.Message)
	}
}

func TestSourcesFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "s.toml")
	os.WriteFile(p, []byte(`
[[source]]
name = "hn"
kind = "http"
url = "http://127.0.0.1:1/x"
format = "json"
schedule = "0 2 * * *"
headers = { Authorization = "env:EGOVKPI_TEST_NOPE" }
`), 0o644)
	if _, err := LoadSources(p); err == nil || !strings.Contains(err.Error(), "EGOVKPI_TEST_NOPE") {
		t.Errorf("a missing secret: %v", err)
	}
	t.Setenv("EGOVKPI_TEST_NOPE", "x")
	if s, err := LoadSources(p); err != nil || len(s) != 1 {
		t.Errorf("load: %v", err)
	}
	os.WriteFile(p, []byte("[[source]]\nname = \"x\"\nkind = \"ftp\"\n"), 0o644)
	if _, err := LoadSources(p); err == nil {
		t.Error("kind ftp accepted")
	}
}

func TestSchedulerRunsOnSchedule(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "unit,period,docs_total,docs_electronic\n01,2026-10,10,9\n")
	}))
	defer srv.Close()
	s, r := sourcesRig(t, Source{Name: "tick", Kind: "http", URL: srv.URL, Format: "csv", Schedule: "@every 1s"})
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	defer s.Stop()
	var runs []data.Run
	for i := 0; i < 40 && len(runs) < 2; i++ {
		time.Sleep(100 * time.Millisecond)
		runs, _ = r.store.Runs(context.Background(), "tick", 0)
	}
	if len(runs) < 2 || runs[len(runs)-1].Outcome != "ok" || runs[0].Outcome != "unchanged" {
		t.Errorf("scheduled runs: %+v", runs)
	}
}
