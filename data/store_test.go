package data

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func openTemp(t testing.TB) *Store {
	t.Helper()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "t.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func TestSupersession(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	m := NewMonth(2026, 10)
	first, err := s.Submit(ctx, []Submission{{UnitCode: "01", Month: m, Source: "test", Values: map[string]int64{"docs_total": 10, "docs_electronic": 9}}})
	if err != nil {
		t.Fatal(err)
	}
	if first[0].Version != 1 || first[0].Status != StatusCurrent {
		t.Fatalf("first = %+v", first[0])
	}
	second, err := s.Submit(ctx, []Submission{{UnitCode: "01", Month: m, Source: "test", Values: map[string]int64{"docs_total": 12}}})
	if err != nil {
		t.Fatal(err)
	}
	if second[0].Version != 2 {
		t.Fatalf("second version = %d", second[0].Version)
	}
	all, err := s.Submissions(ctx, SubmissionFilter{Unit: "01", Month: m})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 {
		t.Fatalf("got %d versions, want 2", len(all))
	}
	if all[0].Version != 2 || all[0].Status != StatusCurrent || all[0].Values["docs_total"] != 12 || len(all[0].Values) != 1 {
		t.Errorf("newest = %+v", all[0])
	}
	if all[1].Version != 1 || all[1].Status != StatusSuperseded || all[1].Values["docs_electronic"] != 9 {
		t.Errorf("older = %+v", all[1])
	}
}

func TestMigrationsOnEmptyAndExistingFile(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "m.duckdb")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	first, err := s.AppliedMigrations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(first) == 0 || first[0] != "001_init.sql" {
		t.Fatalf("applied on an empty file: %v", first)
	}
	if _, err := s.Submit(ctx, []Submission{{UnitCode: "79", Month: NewMonth(2026, 9), Source: "test", Values: map[string]int64{"docs_total": 5}}}); err != nil {
		t.Fatal(err)
	}
	_ = s.Close()
	s, err = Open(ctx, path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer func() { _ = s.Close() }()
	again, _ := s.AppliedMigrations(ctx)
	if len(again) != len(first) {
		t.Errorf("reopening applied migrations again: %v", again)
	}
	cov, err := s.Coverage(ctx)
	if err != nil || cov.Submissions != 1 || cov.LastMonth != NewMonth(2026, 9) {
		t.Errorf("coverage after reopen = %+v, %v", cov, err)
	}
}

func TestSubmitIsAllOrNothing(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	m := NewMonth(2026, 10)
	bad := []Submission{
		{UnitCode: "01", Month: m, Source: "test", Values: map[string]int64{"docs_total": 1}},
		{UnitCode: "02", Month: m, Source: "test", Values: map[string]int64{"docs_total": 1}}, // Hà Giang ended in 2025
	}
	if _, err := s.Submit(ctx, bad); err == nil {
		t.Fatal("a batch with a unit not in force was accepted")
	}
	cov, _ := s.Coverage(ctx)
	if cov.Submissions != 0 {
		t.Errorf("a refused batch left %d submissions", cov.Submissions)
	}
	if _, err := s.Submit(ctx, []Submission{{UnitCode: "01", Month: m, Values: map[string]int64{"nope": 1}}}); err == nil {
		t.Error("an unknown measure was accepted")
	}
	// A batch that fails inside the transaction leaves nothing either.
	ctxc, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := s.Submit(ctxc, []Submission{{UnitCode: "01", Month: m, Source: "test", Values: map[string]int64{"docs_total": 1}}}); err == nil {
		t.Error("a cancelled submit succeeded")
	}
	cov, _ = s.Coverage(ctx)
	if cov.Submissions != 0 {
		t.Errorf("a failed batch left %d submissions", cov.Submissions)
	}
}

func TestSecondProcessIsToldPlainly(t *testing.T) {
	if path := os.Getenv("EGOVKPI_TEST_HOLD"); path != "" {
		s, err := Open(context.Background(), path)
		if err != nil {
			fmt.Println("error:", err)
			os.Exit(1)
		}
		fmt.Println("ready")
		_, _ = io.Copy(io.Discard, os.Stdin) // hold the file until the parent closes our stdin
		_ = s.Close()
		os.Exit(0)
	}
	path := filepath.Join(t.TempDir(), "held.duckdb")
	cmd := exec.Command(os.Args[0], "-test.run=^TestSecondProcessIsToldPlainly$")
	cmd.Env = append(os.Environ(), "EGOVKPI_TEST_HOLD="+path)
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = stdin.Close(); _ = cmd.Wait() }()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || strings.TrimSpace(line) != "ready" {
		t.Fatalf("helper: %q %v", line, err)
	}
	_, err = Open(context.Background(), path)
	if err == nil {
		t.Fatal("a second process opened a held file")
	}
	want := fmt.Sprintf("held.duckdb is in use by another egovkpi process (pid %d): upload through the running server, or stop it first", cmd.Process.Pid)
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), want) {
		t.Errorf("error = %q, want it to contain %q", err, want)
	}
	if _, err := Open(context.Background(), path, Options{ReadOnly: true}); err == nil || !strings.Contains(err.Error(), "in use by another egovkpi process") {
		t.Errorf("read-only open of a held file: %v", err)
	}
}

func TestSameFileTwiceInOneProcess(t *testing.T) {
	s := openTemp(t)
	if _, err := Open(context.Background(), s.Path()); !errors.Is(err, ErrLocked) {
		t.Errorf("second open in one process = %v, want ErrLocked", err)
	}
}

func TestDamagedFileIsRefusedWithAdvice(t *testing.T) {
	path := filepath.Join(t.TempDir(), "broken.duckdb")
	junk := make([]byte, 64<<10)
	for i := range junk {
		junk[i] = byte(i * 7)
	}
	if err := os.WriteFile(path, junk, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Open(context.Background(), path)
	if err == nil {
		t.Fatal("a damaged file was opened")
	}
	if !strings.Contains(err.Error(), "egovkpi rebuild --from") || !strings.Contains(err.Error(), "broken.files") {
		t.Errorf("the refusal does not say how to rebuild: %v", err)
	}
	if b, _ := os.ReadFile(path); !bytes.Equal(b, junk) {
		t.Error("the damaged file was changed")
	}
}

func TestBackupAndRestore(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	m := NewMonth(2026, 10)
	if _, err := s.Submit(ctx, []Submission{{UnitCode: "01", Month: m, Source: "test", Values: map[string]int64{"docs_total": 10, "docs_electronic": 9}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Submit(ctx, []Submission{{UnitCode: "01", Month: m, Source: "test", Values: map[string]int64{"docs_total": 12, "docs_electronic": 11}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateUser(ctx, "committee1", "mật khẩu đủ dài 2026", RoleCommittee, "", "test"); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "backup")
	if err := s.Backup(ctx, dir); err != nil {
		t.Fatal(err)
	}
	if err := s.Backup(ctx, dir); !errors.Is(err, ErrConflict) {
		t.Errorf("a second backup into the same folder: %v", err)
	}
	to := filepath.Join(t.TempDir(), "restored.duckdb")
	if err := Restore(ctx, dir, to); err != nil {
		t.Fatal(err)
	}
	r, err := Open(ctx, to)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = r.Close() }()
	a, _ := s.Submissions(ctx, SubmissionFilter{Unit: "01"})
	b, _ := r.Submissions(ctx, SubmissionFilter{Unit: "01"})
	if fmt.Sprint(stripTimes(a)) != fmt.Sprint(stripTimes(b)) || len(b) != 2 {
		t.Errorf("restored submissions differ:\n%v\n%v", a, b)
	}
	if _, err := r.UserByName(ctx, "committee1"); err != nil {
		t.Errorf("restored users: %v", err)
	}
	applied, _ := r.AppliedMigrations(ctx)
	if len(applied) == 0 {
		t.Error("the restored file lost its migrations")
	}
	if err := Restore(ctx, t.TempDir(), filepath.Join(t.TempDir(), "x.duckdb")); !errors.Is(err, ErrInvalid) {
		t.Errorf("restore from a folder that is no backup: %v", err)
	}
}

func stripTimes(subs []Submission) []Submission {
	out := append([]Submission(nil), subs...)
	for i := range out {
		out[i].SubmittedAt = out[i].SubmittedAt.Truncate(time.Second)
	}
	return out
}
