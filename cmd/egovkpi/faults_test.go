package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/egovkpi/egovkpi/data"
)

// serveProcess starts egovkpi serve in a process of its own (this test binary, see
// TestMain), so that it can be killed as a real server would be.
func serveProcess(t *testing.T, db string, tok map[string]string) (*server, *exec.Cmd) {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "EGOVKPI_TEST_RUN="+strings.Join([]string{"serve", "--db", db, "--addr", "127.0.0.1:0"}, "\n"))
	out, _ := cmd.StdoutPipe()
	cmd.Stderr = nil
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	re := regexp.MustCompile(`on (http://\S+)/`)
	deadline := time.After(30 * time.Second)
	addr := make(chan string, 1)
	go func() {
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
				break
			}
		}
		for sc.Scan() {
		}
	}()
	select {
	case a := <-addr:
		return &server{url: a, db: db, tok: tok}, cmd
	case <-deadline:
		_ = cmd.Process.Kill() // it did not start: that is the failure to report
		t.Fatal("the server process did not start")
	}
	return nil, nil
}

// TestKillDuringIngest kills the server with SIGKILL at random moments while files are
// uploaded, 20 times, restarting it each time: every accepted submission is there and
// whole, nothing half-written, and a rebuild from the kept files equals the live data.
func TestKillDuringIngest(t *testing.T) {
	if testing.Short() {
		t.Skip("kills a server 20 times")
	}
	dir := t.TempDir()
	db := filepath.Join(dir, "k.duckdb")
	tok := makeUsers(t, db)
	rng := rand.New(rand.NewSource(7))
	units := data.Reference().InForce(data.Provinces, data.NewMonth(2026, 10))
	var mu sync.Mutex
	accepted := map[string]bool{} // "unit|period|value" the server answered 201 or 200 for
	n := 0
	for round := 0; round < 20; round++ {
		s, cmd := serveProcess(t, db, tok)
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for w := 0; w < 3; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				for i := 0; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					mu.Lock()
					n++
					k := n
					mu.Unlock()
					u := units[k%len(units)]
					m := data.NewMonth(2025, 7).Add(k % 15)
					body := fmt.Sprintf("unit,period,docs_total,docs_electronic\n%s,%s,%d,%d\n", u.Code, m, 1000+k, 900+k%100)
					code, _ := s.uploadQuiet("committee1", "f.csv", []byte(body))
					if code == 201 || code == 200 {
						mu.Lock()
						accepted[fmt.Sprintf("%s|%s|%d", u.Code, m, 1000+k)] = true
						mu.Unlock()
					}
				}
			}(w)
		}
		time.Sleep(time.Duration(50+rng.Intn(400)) * time.Millisecond)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		_ = cmd.Wait() // "signal: killed", as it was
		close(stop)
		wg.Wait()
	}
	// after the last kill: every accepted file is there, whole
	s, cmd := serveProcess(t, db, tok)
	defer func() { _ = cmd.Process.Signal(syscall.SIGTERM); _ = cmd.Wait() }()
	var subs struct{ Submissions []data.Submission }
	found := map[string]bool{}
	for _, u := range units {
		getJSONAs(t, s, "/api/v1/submissions?unit="+u.Code, "committee1", 200, &subs)
		for _, sub := range subs.Submissions {
			if len(sub.Values) != 2 || sub.Values["docs_electronic"] < 900 {
				t.Errorf("a half-written submission: %+v", sub)
			}
			found[fmt.Sprintf("%s|%s|%d", sub.UnitCode, sub.Month, sub.Values["docs_total"])] = true
		}
	}
	lost := 0
	for k := range accepted {
		if !found[k] {
			lost++
			t.Errorf("accepted but lost: %s", k)
		}
	}
	t.Logf("%d uploads tried over 20 kills, %d acknowledged, %d in the database, %d lost", n, len(accepted), len(found), lost)
	if len(accepted) == 0 {
		t.Fatal("no upload was acknowledged: the test measured nothing")
	}
	// the database rebuilt from the kept files equals the live one
	live, _ := s.export(t, "/api/v1/exports/raw.csv?from=2025-07&to=2026-10")
	_ = cmd.Process.Signal(syscall.SIGTERM)
	_ = cmd.Wait() // the test binary's serve has no signal handler: "signal: terminated"
	rebuilt := filepath.Join(dir, "rebuilt.duckdb")
	if code, _, stderr := command(t, "rebuild", "--from", strings.TrimSuffix(db, ".duckdb")+".files", "--db", rebuilt); code != 0 {
		t.Fatalf("rebuild: %s", stderr)
	}
	rtok := makeUsersOn(t, rebuilt)
	r, rcmd := serveProcess(t, rebuilt, rtok)
	defer func() { _ = rcmd.Process.Signal(syscall.SIGTERM); _ = rcmd.Wait() }()
	again, _ := r.export(t, "/api/v1/exports/raw.csv?from=2025-07&to=2026-10")
	if !sameValues(live, again) {
		t.Error("the rebuilt database differs from the live one")
	}
}

// sameValues compares raw exports on unit, period, measure, value and version (the
// submission ids may differ).
func sameValues(a, b []byte) bool {
	key := func(x []byte) string {
		var out []string
		for _, l := range strings.Split(string(x), "\n") {
			f := strings.Split(l, ",")
			if len(f) == 7 {
				out = append(out, strings.Join([]string{f[0], f[1], f[2], f[3], f[5]}, ","))
			}
		}
		return strings.Join(out, "\n")
	}
	return key(a) == key(b) && len(a) > 100
}

func (s *server) uploadQuiet(user, name string, content []byte) (int, error) {
	body, ct := multipartBody(name, content)
	req, _ := http.NewRequest("POST", s.url+"/api/v1/submissions", body)
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Authorization", "Bearer "+s.tok[user])
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	resp, err := http.DefaultClient.Do(req.WithContext(ctx))
	if err != nil {
		return 0, err
	}
	_ = resp.Body.Close()
	return resp.StatusCode, nil
}

func (s *server) export(t *testing.T, path string) ([]byte, error) {
	code, b := s.do(t, "GET", path, "committee1", nil)
	if code != 200 {
		t.Fatalf("%s: %d", path, code)
	}
	return b, nil
}

func makeUsersOn(t *testing.T, db string) map[string]string {
	t.Helper()
	ctx := context.Background()
	store, err := data.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = store.Close() }()
	secret, _, err := store.CreateToken(ctx, "committee1", "test", "test")
	if err != nil {
		// the rebuilt database has no users: make the committee again
		if _, err := store.CreateUser(ctx, "committee1", testPassword, data.RoleCommittee, "", "test"); err != nil {
			t.Fatal(err)
		}
		secret, _, _ = store.CreateToken(ctx, "committee1", "test", "test")
	}
	return map[string]string{"committee1": secret}
}

func TestBackupWhileServing(t *testing.T) {
	s := startServer(t, true)
	code, b := s.do(t, "POST", "/api/v1/backup", "admin1", nil)
	if code != 201 {
		t.Fatalf("backup: %d %s", code, b)
	}
	var r struct{ Path string }
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	restored := filepath.Join(t.TempDir(), "restored.duckdb")
	if code, _, stderr := command(t, "restore", "--from", r.Path, "--db", restored); code != 0 {
		t.Fatalf("restore: %s", stderr)
	}
	live, _ := s.export(t, "/api/v1/exports/raw.csv?from=2019-01&to=2026-10")
	// the restored file answers the same
	code, out, stderr := command(t, "export", "--db", restored, "--kind", "raw", "--from", "2019-01", "--to", "2026-10", "--out", filepath.Join(t.TempDir(), "r.csv"))
	if code != 0 {
		t.Fatalf("export from the restored file: %s", stderr)
	}
	m := regexp.MustCompile(`wrote (\S+):`).FindStringSubmatch(out)
	got, _ := os.ReadFile(m[1])
	if !bytes.Equal(live, got) {
		t.Error("the restored database differs from the live one")
	}
	if code, _ := s.do(t, "POST", "/api/v1/backup", "analyst1", nil); code != 403 {
		t.Errorf("an analyst made a backup: %d", code)
	}
}
