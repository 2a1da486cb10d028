package ingest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
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
	if err := r.store.UnlockMonth(ctx, data.NewMonth(2026, 10), "committee"); err != nil {
		t.Fatal(err)
	}
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
			http.Error(w, "no", http.StatusUnauthorized)
			return
		}
		fmt.Fprint(w, `{"data":[{"maDonVi":"01","ky":"2026-10","hoSoTiepNhan":120,"hoSoTrucTuyen":100}]}`)
	})
	mux.HandleFunc("/flaky.csv", func(w http.ResponseWriter, r *http.Request) {
		if fails.Add(-1) >= 0 {
			http.Error(w, "busy", http.StatusServiceUnavailable)
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
	t.Setenv("EGOVKPI_SECRET_HN_TOKEN", "Bearer s3cret")
	s, r := sourcesRig(t,
		Source{Name: "hn", Kind: "http", URL: srv.URL + "/json", Format: "json", UnitKey: "maDonVi", Period: "ky",
			Mapping: map[string]string{"hoSoTiepNhan": "dossiers_received", "hoSoTrucTuyen": "dossiers_received_online"},
			Headers: map[string]string{"Authorization": "env:EGOVKPI_SECRET_HN_TOKEN"}, AllowPrivate: true},
		Source{Name: "flaky", Kind: "http", URL: srv.URL + "/flaky.csv", Format: "csv", Retries: 3, AllowPrivate: true},
		Source{Name: "missing", Kind: "http", URL: srv.URL + "/missing", Format: "csv", Retries: 3, AllowPrivate: true},
		Source{Name: "slow", Kind: "http", URL: srv.URL + "/slow", Format: "csv", Timeout: "200ms", AllowPrivate: true},
		Source{Name: "garbage", Kind: "http", URL: srv.URL + "/garbage", Format: "json", AllowPrivate: true},
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
	s.Policy.FolderRoot = filepath.Dir(dir)
	ctx := context.Background()
	good := filepath.Join(dir, "bao-cao.csv")
	if err := os.WriteFile(good, []byte("unit,period,docs_total,docs_electronic\n01,2026-10,10,9\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "sai.csv"), []byte("unit,period,docs_total,docs_electronic\n01,2026-10,10,90\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "dang-chep.csv.part"), []byte("unit,per"), 0o644); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-time.Minute)
	_ = os.Chtimes(good, old, old)
	_ = os.Chtimes(filepath.Join(dir, "sai.csv"), old, old)
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
	if err := os.WriteFile(growing, []byte("unit,period,docs_total\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_ = os.Chtimes(growing, old, old)
	if _, err := s.Run(ctx, "drop"); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(growing, []byte("unit,period,docs_total\n04,2026-10,3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_ = os.Chtimes(growing, old.Add(time.Second), old.Add(time.Second))
	third, _ := s.Run(ctx, "drop")
	if !strings.Contains(third.Message, "1 waiting") {
		t.Errorf("a growing file was read: %s", third.Message)
	}
}

func TestSourcesFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "s.toml")
	if err := os.WriteFile(p, []byte(`
[[source]]
name = "hn"
kind = "http"
url = "http://127.0.0.1:1/x"
allow_private = true
format = "json"
schedule = "0 2 * * *"
headers = { Authorization = "env:EGOVKPI_SECRET_NOPE" }
`), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := LoadSources(p)
	if err != nil || len(s) != 1 {
		t.Fatalf("load: %v", err)
	}
	// the file is read; whether the secret may be sent is the server's policy
	if err := (SourcePolicy{}).Check(s[0]); err == nil || !strings.Contains(err.Error(), "EGOVKPI_SECRET_NOPE is not set") {
		t.Errorf("a missing secret: %v", err)
	}
	t.Setenv("EGOVKPI_SECRET_NOPE", "x")
	if err := (SourcePolicy{}).Check(s[0]); err != nil {
		t.Errorf("a secret that is set: %v", err)
	}
	if err := os.WriteFile(p, []byte("[[source]]\nname = \"x\"\nkind = \"ftp\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadSources(p); err == nil {
		t.Error("kind ftp accepted")
	}
}

func TestSchedulerRunsOnSchedule(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "unit,period,docs_total,docs_electronic\n01,2026-10,10,9\n")
	}))
	defer srv.Close()
	s, r := sourcesRig(t, Source{Name: "tick", Kind: "http", URL: srv.URL, Format: "csv", Schedule: "@every 1s", AllowPrivate: true})
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

// TestSourceSafety: what an admin's sources may reach, read and move (issue 16, #10).
func TestSourceSafety(t *testing.T) {
	ctx := context.Background()
	var hits atomic.Int32
	csv := "unit,period,docs_total,docs_electronic\n01,2026-10,10,9\n"
	local := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		switch r.URL.Path {
		// The fetcher hangs up once the bound is passed, so a write may
		// meet a broken pipe: that is the behaviour under test, not a fault.
		case "/big":
			_, _ = w.Write([]byte(strings.Repeat("x", 4<<10)))
		case "/big-chunked":
			for i := 0; i < 8; i++ {
				if _, err := w.Write([]byte(strings.Repeat("x", 1<<10))); err != nil {
					return
				}
				w.(http.Flusher).Flush()
			}
		case "/secret":
			fmt.Fprint(w, "unit,period,docs_total\nMAT-KHAU-NOI-BO,2026-10,5\n")
		case "/loop":
			http.Redirect(w, r, "/loop", http.StatusFound)
		default:
			fmt.Fprint(w, csv)
		}
	}))
	defer local.Close()
	port := local.Listener.Addr().(*net.TCPAddr).Port
	// a "public" host: 127.0.0.2 plays one, every other special address stays refused
	public := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/to-literal":
			http.Redirect(w, r, local.URL+"/", http.StatusFound)
		case "/to-name":
			http.Redirect(w, r, fmt.Sprintf("http://localhost:%d/", port), http.StatusFound)
		default:
			fmt.Fprint(w, csv)
		}
	}))
	ln, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Skipf("cannot listen on 127.0.0.2: %v", err)
	}
	public.Listener = ln
	public.Start()
	defer public.Close()
	was := isRefused
	isRefused = func(ip netip.Addr) bool { return ip != netip.MustParseAddr("127.0.0.2") && was(ip) }
	defer func() { isRefused = was }()

	root := t.TempDir()
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "a.csv"), []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(root, "link")); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(root, "drop"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("EGOVKPI_SECRET_K", "k3y")
	s, _ := sourcesRig(t,
		Source{Name: "loopback", Kind: "http", URL: local.URL + "/", Format: "csv"},
		Source{Name: "localhost", Kind: "http", URL: fmt.Sprintf("http://localhost:%d/", port), Format: "csv"},
		Source{Name: "public", Kind: "http", URL: public.URL + "/", Format: "csv"},
		Source{Name: "to-literal", Kind: "http", URL: public.URL + "/to-literal", Format: "csv"},
		Source{Name: "to-name", Kind: "http", URL: public.URL + "/to-name", Format: "csv"},
		Source{Name: "home", Kind: "http", URL: local.URL + "/", Format: "csv", AllowPrivate: true, Headers: map[string]string{"X-Key": "env:HOME"}},
		Source{Name: "unset", Kind: "http", URL: local.URL + "/", Format: "csv", AllowPrivate: true, Headers: map[string]string{"X-Key": "env:EGOVKPI_NOT_SET_EVER"}},
		Source{Name: "big", Kind: "http", URL: local.URL + "/big", Format: "csv", AllowPrivate: true},
		Source{Name: "big-chunked", Kind: "http", URL: local.URL + "/big-chunked", Format: "csv", AllowPrivate: true},
		Source{Name: "secret", Kind: "http", URL: local.URL + "/secret", Format: "csv", AllowPrivate: true},
		Source{Name: "loop", Kind: "http", URL: local.URL + "/loop", Format: "csv", AllowPrivate: true},
		Source{Name: "outside", Kind: "folder", Path: outside},
		Source{Name: "dotdot", Kind: "folder", Path: "../" + filepath.Base(outside)},
		Source{Name: "link", Kind: "folder", Path: "link"},
		Source{Name: "inside", Kind: "folder", Path: "drop"},
	)
	s.Policy = SourcePolicy{FolderRoot: root, MaxBody: 2 << 10}
	run := func(name, outcome, says string) data.Run {
		t.Helper()
		before := hits.Load()
		res, err := s.Run(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %s: %s", name, res.Outcome, res.Message)
		if res.Outcome != outcome || !strings.Contains(res.Message, says) {
			t.Errorf("%s: %s (%s), want %s saying %q", name, res.Outcome, res.Message, outcome, says)
		}
		if outcome == "failed" && hits.Load() != before && name != "big" && name != "big-chunked" && name != "loop" {
			t.Errorf("%s: the refused source reached the loopback server", name)
		}
		return res
	}
	run("loopback", "failed", "allow_private = true")
	run("localhost", "failed", "refused address 127.0.0.1") // a name is checked as dialled
	run("public", "ok", "")
	run("to-literal", "failed", "redirected: refused address 127.0.0.1")
	run("to-name", "failed", "refused address 127.0.0.1")
	home := run("home", "failed", "env:HOME is not allowed")
	unset := run("unset", "failed", "env:EGOVKPI_NOT_SET_EVER is not allowed")
	if strings.ReplaceAll(home.Message, "HOME", "X") != strings.ReplaceAll(unset.Message, "EGOVKPI_NOT_SET_EVER", "X") {
		t.Errorf("a set and an unset variable are told apart:\n%s\n%s", home.Message, unset.Message)
	}
	run("big", "failed", "larger than 2048 bytes")
	run("big-chunked", "failed", "larger than 2048 bytes")
	if sec := run("secret", "rejected", ""); strings.Contains(sec.Message, "MAT-KHAU") {
		t.Errorf("the fetched body shows in the run: %s", sec.Message)
	}
	run("loop", "failed", "redirects")
	run("outside", "failed", "outside the sources root")
	run("dotdot", "failed", "outside the sources root")
	run("link", "failed", "outside the sources root")
	run("inside", "ok", "0 files accepted")
	if _, err := os.Stat(filepath.Join(outside, "a.csv")); err != nil {
		t.Errorf("a file outside the root was moved: %v", err)
	}
	// without a root no folder source runs; the database's own folder never does
	s.Policy = SourcePolicy{}
	run("inside", "failed", "--sources-root")
	s.Policy = SourcePolicy{FolderRoot: root, Protected: []string{filepath.Join(root, "drop")}}
	run("inside", "failed", "the server's own folder")

	// what an admin saves is checked against the same policy
	for _, c := range []struct{ toml, says string }{
		{`url = "file:///etc/passwd"`, "only http and https"},
		{`url = "http://169.254.169.254/latest/meta-data/"`, "allow_private = true"},
		{`url = "http://[::1]:8080/"`, "allow_private = true"},
		{`url = "http://[::ffff:10.0.0.1]/"`, "allow_private = true"},
	} {
		_, err := ParseSources("[[source]]\nname = \"x\"\nkind = \"http\"\nformat = \"csv\"\n"+c.toml+"\n", "t")
		if err == nil || !strings.Contains(err.Error(), c.says) || !errors.Is(err, data.ErrInvalid) {
			t.Errorf("%s: %v, want %q", c.toml, err, c.says)
		}
	}
	p := SourcePolicy{FolderRoot: root, SecretEnv: []string{"HN_API_KEY"}}
	t.Setenv("HN_API_KEY", "v")
	for _, c := range []struct {
		src  Source
		says string
	}{
		{Source{Name: "a", Kind: "http", URL: "https://api.example.vn/", Headers: map[string]string{"K": "env:HOME"}}, "env:HOME is not allowed"},
		{Source{Name: "b", Kind: "http", URL: "https://api.example.vn/", Headers: map[string]string{"K": "env:EGOVKPI_SECRET_"}}, "not allowed"},
		{Source{Name: "c", Kind: "http", URL: "https://api.example.vn/", Headers: map[string]string{"K": "env:HN_API_KEY", "L": "env:EGOVKPI_SECRET_K"}}, ""},
		{Source{Name: "d", Kind: "folder", Path: outside}, "outside the sources root"},
		{Source{Name: "e", Kind: "folder", Path: "drop"}, ""},
	} {
		err := p.Check(c.src)
		if (c.says == "") != (err == nil) || err != nil && (!strings.Contains(err.Error(), c.says) || !errors.Is(err, data.ErrInvalid)) {
			t.Errorf("%s: %v, want %q", c.src.Name, err, c.says)
		}
	}
}

// TestSourceHeadersStayWithTheirHost: a source's headers (its secrets) are not sent on
// when the answer redirects to another host.
func TestSourceHeadersStayWithTheirHost(t *testing.T) {
	var got atomic.Value
	got.Store("")
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.Store(r.Header.Get("X-Key") + "|" + r.Header.Get("Authorization"))
		fmt.Fprint(w, "unit,period,docs_total,docs_electronic\n01,2026-10,10,9\n")
	}))
	defer other.Close()
	first := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Key") != "k3y" {
			http.Error(w, "no key", http.StatusUnauthorized)
			return
		}
		http.Redirect(w, r, other.URL+"/", http.StatusFound)
	}))
	defer first.Close()
	t.Setenv("EGOVKPI_SECRET_K", "k3y")
	s, _ := sourcesRig(t, Source{Name: "r", Kind: "http", URL: first.URL, Format: "csv", AllowPrivate: true,
		Headers: map[string]string{"X-Key": "env:EGOVKPI_SECRET_K", "Authorization": "env:EGOVKPI_SECRET_K"}})
	res, err := s.Run(context.Background(), "r")
	if err != nil || res.Outcome != "ok" {
		t.Fatalf("%+v %v", res, err)
	}
	if g := got.Load().(string); g != "|" {
		t.Errorf("the other host got the source's headers: %q", g)
	}
}
