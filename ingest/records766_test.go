package ingest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/egovkpi/egovkpi/data"
)

const testCatalogue = `procedure_code,name_vi,level,unit_code,max_processing,max_unit,online,full_online_eligible,paper_result,fee,payment_integrated,announced_on,effective_on,published_on,components_complete,valid_from,valid_to
PA,Cấp giấy phép A,province,,5,working_days,full,true,false,true,true,2026-09-03,2026-09-15,2026-09-10,true,,
PB,Cấp giấy phép B,province,79,3,days,partial,false,true,true,false,,,,,2026-01-01,
MA,Thủ tục bộ A,ministry,,15,working_days,full,true,false,false,false,,,,,,
`

const testFeedback = `id,unit_code,received_at,classified,handled_at,outcome,disliked
F01,01,2026-09-03 08:00,true,2026-09-10 10:00,handled,false
F02,79,2026-09-07 08:00,false,,open,true
`

// TestCatalogueAndFeedback sends the 766 index's records through the one way in: each
// kind recognised by its header, the catalogue only from the committee, feedback only for
// the actor's units, problems naming row and column in both languages, dry runs writing
// nothing, identical files changing nothing, and rebuild replaying both.
func TestCatalogueAndFeedback(t *testing.T) {
	ctx := context.Background()
	r := newRig(t)
	committee := func(q *Request) { q.Actor, q.Benchmarks = "committee", true }
	only01 := func(q *Request) {
		q.Allow = func(u string) error {
			if u != "01" {
				return data.ErrForbidden
			}
			return nil
		}
	}
	dry := func(q *Request) { q.DryRun = true }
	en := func(q *Request) { q.Lang = "en" }
	bad := strings.Replace(testCatalogue, "PB,Cấp giấy phép B,province,79,3,days", "PB,Cấp giấy phép B,county,79,3,weeks", 1)
	bad = strings.Replace(bad, "2026-09-15", "15.09.2026", 1)
	cases := []struct {
		name, file, body string
		mods             []func(*Request)
		status           Status
		kind             string
		want             []string // in the problems or the message
	}{
		{"catalogue from an officer", "dm.csv", testCatalogue, nil, StatusForbidden, KindCatalogue, []string{"Ban chỉ đạo"}},
		{"catalogue with bad cells", "dm.csv", bad, []func(*Request){committee, en}, StatusRejected, KindCatalogue,
			[]string{"row 3 level: column level: \"county\" is not province", "row 3 max_unit: column max_unit: \"weeks\"", "row 2 effective_on:"}},
		{"catalogue with bad cells, Vietnamese", "dm.csv", bad, []func(*Request){committee}, StatusRejected, KindCatalogue,
			[]string{"row 3 level: cột level: \"county\" không phải province"}},
		{"catalogue dry run", "dm.csv", testCatalogue, []func(*Request){committee, dry}, StatusDryRun, KindCatalogue, nil},
		{"catalogue", "dm.csv", testCatalogue, []func(*Request){committee}, StatusAccepted, KindCatalogue, nil},
		{"catalogue again", "dm2.csv", testCatalogue, []func(*Request){committee}, StatusIdentical, KindCatalogue, nil},
		{"feedback of another unit", "pa.csv", testFeedback, []func(*Request){only01}, StatusForbidden, KindFeedback, []string{"79: 1"}},
		{"feedback with a unknown column", "pa.csv", strings.Replace(testFeedback, "disliked", "liked", 1), []func(*Request){en}, StatusRejected, KindFeedback,
			[]string{`row 1 liked: column "liked" is not one of the template's`}},
		{"feedback dry run", "pa.csv", testFeedback, []func(*Request){dry}, StatusDryRun, KindFeedback, nil},
		{"feedback", "pa.csv", testFeedback, nil, StatusAccepted, KindFeedback, nil},
		{"feedback again", "pa.csv", testFeedback, nil, StatusIdentical, KindFeedback, nil},
		{"feedback in the future", "pa2.csv", strings.Replace(testFeedback, "2026-09-07 08:00", "2026-12-07 08:00", 1), []func(*Request){en}, StatusRejected,
			KindFeedback, []string{"row 3 received_at: column received_at: \"2026-12-07 08:00\" is after the current month 2026-11"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := r.ingest(c.file, []byte(c.body), c.mods...)
			if o.Status != c.status || o.Kind != c.kind {
				t.Fatalf("status %s kind %s, want %s %s: %s %v", o.Status, o.Kind, c.status, c.kind, o.Message, o.Errors)
			}
			var text []string
			for _, p := range o.Errors {
				text = append(text, "row "+itoa(p.Row)+" "+p.Field+": "+p.Message)
			}
			all := strings.Join(text, "\n") + "\n" + o.Message
			for _, w := range c.want {
				if !strings.Contains(all, w) {
					t.Errorf("want %q in\n%s", w, all)
				}
			}
		})
	}
	// what the store holds: one version of three procedures; two feedback records
	vs, err := r.store.CatalogueVersions(ctx)
	if err != nil || len(vs) != 1 || vs[0].Rows != 3 || vs[0].InForceFrom.Format("2006-01-02") != "2026-11-05" {
		t.Fatalf("catalogue versions %+v %v", vs, err)
	}
	if ok, _ := r.store.FeedbackImported(ctx, sha(testFeedback)); !ok {
		t.Fatal("feedback not stored")
	}
	// an XLSX catalogue is a second version
	f := excelize.NewFile()
	for i, line := range strings.Split(strings.TrimSpace(testCatalogue), "\n")[:3] {
		for j, v := range strings.Split(line, ",") {
			cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
			if err := f.SetCellValue("Sheet1", cell, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	if o := r.ingest("dm.xlsx", buf.Bytes(), committee); o.Status != StatusAccepted || o.Kind != KindCatalogue || o.Records.Rows != 2 {
		t.Fatalf("xlsx: %s %s %v", o.Status, o.Message, o.Errors)
	}
	// rebuild replays both kinds, the catalogue with the right to import it
	other, err := data.Open(ctx, filepath.Join(t.TempDir(), "rebuilt.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = other.Close() }()
	target := &Ingester{Store: other, Rules: r.in.Rules, FilesDir: filepath.Join(t.TempDir(), "rebuilt.files"), Now: r.in.Now}
	if n, err := Rebuild(ctx, r.in.FilesDir, target, nil); err != nil || n != 3 {
		t.Fatalf("rebuild: %d files, %v", n, err)
	}
	vs2, _ := other.CatalogueVersions(ctx)
	if len(vs2) != 2 || vs2[1].Rows != 2 {
		t.Fatalf("rebuilt catalogue versions %+v", vs2)
	}
	if ok, _ := other.FeedbackImported(ctx, sha(testFeedback)); !ok {
		t.Fatal("rebuilt: feedback not stored")
	}
	// nothing refused was kept: three files and the manifest
	n := 0
	_ = filepath.Walk(r.in.FilesDir, func(p string, fi os.FileInfo, err error) error {
		if err == nil && fi.Mode().IsRegular() && fi.Name() != ManifestName {
			n++
		}
		return nil
	})
	if n != 3 {
		t.Errorf("%d kept files, want 3", n)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func sha(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// TestReconcileRecords: a catalogue or feedback file left pending by a crash is settled
// by what the database holds: committed when its rows are there, aborted otherwise.
func TestReconcileRecords(t *testing.T) {
	ctx := context.Background()
	r := newRig(t)
	if o := r.ingest("dm.csv", []byte(testCatalogue), func(q *Request) { q.Benchmarks = true }); o.Status != StatusAccepted {
		t.Fatalf("%s %v", o.Status, o.Errors)
	}
	in := &Ingester{Store: r.store, FilesDir: t.TempDir()}
	for _, e := range []manifestEntry{
		{SHA256: sha(testCatalogue), Name: "dm.csv", Records: KindCatalogue, State: "pending"},
		{SHA256: sha(testFeedback), Name: "pa.csv", Records: KindFeedback, State: "pending"},
	} {
		if err := in.record(e); err != nil {
			t.Fatal(err)
		}
	}
	n, err := in.Reconcile(ctx)
	if err != nil || n != 2 {
		t.Fatalf("reconciled %d, %v", n, err)
	}
	_, outcome, err := readManifest(in.FilesDir)
	if err != nil || outcome[sha(testCatalogue)] != "committed" || outcome[sha(testFeedback)] != "aborted" {
		t.Errorf("outcomes %v %v", outcome, err)
	}
}

// TestFeedbackLockedMonth: once September is locked, a feedback file changing a record
// received in September is refused naming the month and the record; the same records
// again, with one more in October, pass.
func TestFeedbackLockedMonth(t *testing.T) {
	ctx := context.Background()
	r := newRig(t)
	if o := r.ingest("pa.csv", []byte(testFeedback)); o.Status != StatusAccepted {
		t.Fatalf("%s %v", o.Status, o.Errors)
	}
	if err := r.store.LockMonth(ctx, data.NewMonth(2026, 9), "committee1"); err != nil {
		t.Fatal(err)
	}
	changed := strings.Replace(testFeedback, "F01,01,2026-09-03 08:00,true", "F01,01,2026-09-03 08:00,false", 1)
	if o := r.ingest("pa2.csv", []byte(changed), func(q *Request) { q.Lang = "en" }); o.Status != StatusRejected ||
		!strings.Contains(o.Message, "2026-09 was locked by committee1") || !strings.Contains(o.Message, "(F01)") {
		t.Errorf("changed in a locked month: %s %s", o.Status, o.Message)
	}
	more := testFeedback + "F03,01,2026-10-07 08:00,true,,open,false\n"
	if o := r.ingest("pa3.csv", []byte(more)); o.Status != StatusAccepted || o.Records.Replaced != 2 {
		t.Errorf("unchanged in the locked month: %s %s %+v", o.Status, o.Message, o.Records)
	}
}
