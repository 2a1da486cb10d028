package ingest

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/egovkpi/egovkpi/data"
)

// FuzzParse feeds the parser arbitrary bytes under both a CSV and an XLSX name: it must
// never panic, and what it accepts must be whole, non-negative counts of known units.
// The seed corpus is testdata/fuzz/FuzzParse plus the files below, the fixtures of
// ../testdata/real among them; `go test` runs them.
func FuzzParse(f *testing.F) {
	u, _ := data.Reference().At("01", data.NewMonth(2026, 10))
	tpl, _ := Template(u, data.NewMonth(2026, 10), nil)
	f.Add("t.xlsx", tpl)
	f.Add("w.csv", []byte("Mã đơn vị,Kỳ báo cáo,Số hồ sơ tiếp nhận\n01,2026-10,3.451\n"))
	f.Add("w.csv", []byte("Mã đơn vị,79\nKỳ báo cáo,2026-10\nMã chỉ tiêu,Giá trị\nprocedures_total,12\n"))
	f.Add("x.xlsx", []byte("PK\x03\x04garbage"))
	// the files other tools wrote (LibreOffice Calc's XLSX and ODS, issue 20) and the
	// survey's small CSVs, from the repository's testdata
	for _, pattern := range []string{"../testdata/real/*.xlsx", "../testdata/real/*.ods", "../testdata/real/*.csv", "../testdata/egdi/un-*.csv"} {
		files, _ := filepath.Glob(pattern)
		for _, name := range files {
			b, err := os.ReadFile(name)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(filepath.Base(name), b)
		}
	}
	f.Add("r.ods", ods(f, func(w io.Writer) {
		_, _ = io.WriteString(w, `<table:table table:name="S">`+odsHead+odsRow("01", "2026-10", "=5")+
			`<table:table-row table:number-rows-repeated="1048574"><table:table-cell table:number-columns-repeated="16384"/></table:table-row></table:table>`)
	}))
	reg := data.Reference()
	f.Fuzz(func(t *testing.T, name string, content []byte) {
		var p *Parsed
		var problems []Problem
		done := make(chan struct{})
		// a panic in the parser is not caught (guard only catches excelize's): it fails
		// the fuzz run, as it should
		go func() { p, problems = Parse(name, content, reg, "vi"); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("Parse(%q, %d bytes) took over 10 s", name, len(content))
		}
		if p == nil && len(problems) == 0 {
			t.Fatalf("Parse(%q, %d bytes) refused the file without saying why", name, len(content))
		}
		// the same bytes read twice give the same reports and the same problems
		p2, problems2 := Parse(name, content, reg, "vi")
		if !reflect.DeepEqual(problems, problems2) {
			t.Fatalf("Parse(%q) is not deterministic: problems %v, then %v", name, problems, problems2)
		}
		if !reflect.DeepEqual(parsedValues(p), parsedValues(p2)) {
			t.Fatalf("Parse(%q) is not deterministic: reports %v, then %v", name, parsedValues(p), parsedValues(p2))
		}
		if p == nil {
			return
		}
		for _, r := range p.Reports() {
			if _, ok := reg.At(r.UnitCode(), r.Month()); !ok {
				t.Fatalf("accepted unit %q not in force in %s", r.UnitCode(), r.Month())
			}
			for code, v := range r.Values() {
				if v < 0 || data.MeasureIndex(code) < 0 {
					t.Fatalf("accepted %s = %d", code, v)
				}
			}
		}
	})
}

// parsedValues lists what a parse accepted, report by report, for comparing two parses.
func parsedValues(p *Parsed) []string {
	if p == nil {
		return nil
	}
	var out []string
	for _, r := range p.Reports() {
		out = append(out, fmt.Sprintf("%s %s %s!%d %v", r.UnitCode(), r.Month(), r.Sheet(), r.Row(), r.Values()))
	}
	return out
}
