package ingest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/egovkpi/egovkpi/data"
)

// TestFullDisk ingests onto a small tmpfs until it is full: the failing file gets a
// clear error, and what was accepted before stays whole and readable. It needs root to
// mount the tmpfs (CI runs as root); elsewhere it is skipped.
func TestFullDisk(t *testing.T) {
	// CI runs as root: there the test must run, not skip without saying so
	skip := t.Skipf
	if os.Getenv("CI") != "" {
		skip = t.Fatalf
	}
	if os.Geteuid() != 0 {
		skip("mounting a tmpfs needs root")
	}
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", dir).CombinedOutput(); err != nil {
		skip("mount tmpfs: %v %s", err, out) // a sandbox that forbids mounts
	}
	defer func() { _ = exec.Command("umount", "-l", dir).Run() }()
	ctx := context.Background()
	db := filepath.Join(dir, "full.duckdb")
	store, err := data.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	in := &Ingester{Store: store, FilesDir: FilesDirFor(db)}
	units := data.Reference().InForce(data.Provinces, data.NewMonth(2026, 10))
	accepted := map[string]int64{}
	var failure error
	for i := 0; i < 2000 && failure == nil; i++ {
		var b strings.Builder
		b.WriteString("unit,period,docs_total,docs_electronic\n")
		m := data.NewMonth(1990, 1).Add(i)
		for _, u := range units {
			fmt.Fprintf(&b, "%s,%s,%d,%d\n", u.Code, m, 1000+i, 500+i)
		}
		// padding, so that the disk fills in a few hundred files
		b.WriteString(strings.Repeat("\n", 60000))
		res, err := in.Ingest(ctx, Request{Name: fmt.Sprintf("f%d.csv", i), Content: []byte(b.String()), Actor: "test", Source: "test"})
		if err != nil {
			failure = err
			break
		}
		if !res.Accepted {
			t.Fatalf("file %d rejected: %v", i, res.Errors)
		}
		accepted[m.String()] = int64(1000 + i)
	}
	if failure == nil {
		t.Fatal("the disk never filled: the test measured nothing")
	}
	if !strings.Contains(failure.Error(), "is full; nothing of this batch was written") {
		t.Errorf("the error does not say the disk is full: %v", failure)
	}
	t.Logf("%d files accepted before: %v", len(accepted), failure)
	_ = store.Close()
	// make room, as an operator would, and look: everything accepted is there and whole
	if out, err := exec.Command("mount", "-o", "remount,size=64m", dir).CombinedOutput(); err != nil {
		t.Fatalf("remount: %v %s", err, out)
	}
	store, err = data.Open(ctx, db)
	if err != nil {
		t.Fatalf("reopen after a full disk: %v", err)
	}
	defer func() { _ = store.Close() }()
	for m, total := range accepted {
		mo, _ := data.ParseMonth(m)
		cur, err := store.CurrentValues(ctx, mo)
		if err != nil {
			t.Fatal(err)
		}
		if len(cur) != len(units) || cur["01"]["docs_total"] != total {
			t.Errorf("%s: %d units, 01 = %v", m, len(cur), cur["01"])
		}
	}
	cov, _ := store.Coverage(ctx)
	if cov.Submissions != len(accepted)*len(units) {
		t.Errorf("%d submissions, %d accepted", cov.Submissions, len(accepted)*len(units))
	}
}
