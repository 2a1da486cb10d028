package main

import (
	"archive/zip"
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/egovkpi/egovkpi/data"
)

// Issue 16, "Resource exhaustion": a small upload must not make the server allocate
// gigabytes. The server runs as a process of its own and its peak memory is read from
// its /proc status (VmHWM), not the test's.

// peakRSS is the process's peak resident memory, in MB.
func peakRSS(t *testing.T, pid int) int {
	t.Helper()
	return procStatus(t, pid, "VmHWM")
}

// peakVM is the process's peak address space, in MB: memory asked of the system, touched
// or not (a table sized for 40 million rows but never filled shows here, not in VmHWM).
func peakVM(t *testing.T, pid int) int {
	t.Helper()
	return procStatus(t, pid, "VmPeak")
}

func procStatus(t *testing.T, pid int, key string) int {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Skipf("no /proc here: %v", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, key+":"); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return kb >> 10
		}
	}
	t.Fatalf("no %s in /proc status", key)
	return 0
}

// boundedServer starts egovkpi serve as a process, its temporary files in a folder of the
// test's, and returns it with its pid.
func boundedServer(t *testing.T) (*server, int, string) {
	t.Helper()
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp) // the server's marked files and spilled sheets land here
	db := filepath.Join(t.TempDir(), "b.duckdb")
	tok := makeUsers(t, db)
	s, cmd := serveProcess(t, db, tok)
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }) // killed: its exit status says so
	return s, cmd.Process.Pid, tmp
}

// rewriteSheet copies a workbook, passing its first worksheet's XML through edit.
func rewriteSheet(t *testing.T, book []byte, edit func(string) string) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(book), int64(len(book)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		_ = rc.Close()
		if f.Name == "xl/worksheets/sheet1.xml" {
			b = []byte(edit(string(b)))
		}
		w, _ := zw.Create(f.Name)
		if _, err := w.Write(b); err != nil {
			t.Fatal(err)
		}
	}
	_ = zw.Close()
	return buf.Bytes()
}

// TestMarkedFileBounded (#6): the server's own template with "12a" in one cell and 800
// empty rows ending at column XFD, 13 KB, once made the server allocate 2.5 GB writing the
// marked copy back (each row filled in to 16,384 cells). The errors still come back with
// their cells, peak memory stays under 300 MB, and a marked file of an ordinary workbook is
// still offered, kept on disk 0600.
func TestMarkedFileBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server process")
	}
	s, pid, tmp := boundedServer(t)
	filled := filledTemplate(t, s, "officer01", map[string]any{"D7": "12a"})
	wide := rewriteSheet(t, filled, func(x string) string {
		var rows strings.Builder
		for r := 100; r < 900; r++ {
			fmt.Fprintf(&rows, `<row r="%d"><c r="XFD%d"/></row>`, r, r)
		}
		return strings.Replace(x, "</sheetData>", rows.String()+"</sheetData>", 1)
	})
	t.Logf("the workbook: %d KB; server at start: %d MB", len(wide)>>10, peakRSS(t, pid))
	start := time.Now()
	code, body := s.upload(t, "officer01", "", "wide.xlsx", wide)
	if code != 422 || !strings.Contains(fmt.Sprint(body["errors"]), "D7") {
		t.Fatalf("upload: %d %v", code, body)
	}
	peak := peakRSS(t, pid)
	t.Logf("answered in %s; peak RSS %d MB; marked file %v", time.Since(start).Round(time.Millisecond), peak, body["marked_file"])
	if peak > 300 {
		t.Errorf("peak RSS %d MB marking a %d KB workbook", peak, len(wide)>>10)
	}
	// an ordinary workbook is still marked, and its copy is on disk, readable by the server alone
	code, body = s.upload(t, "officer01", "", "bao-cao.xlsx", filled)
	marked, _ := body["marked_file"].(string)
	if code != 422 || marked == "" {
		t.Fatalf("an ordinary workbook: %d %v", code, body)
	}
	if code, b := s.do(t, "GET", marked, "officer01", nil); code != 200 || !bytes.HasPrefix(b, []byte("PK")) {
		t.Errorf("the marked file: %d %.80q", code, b)
	}
	kept, _ := filepath.Glob(filepath.Join(tmp, "egovkpi-marked-*", "*.xlsx"))
	if len(kept) != 1 {
		t.Fatalf("marked files on disk: %v", kept)
	}
	if st, err := os.Stat(kept[0]); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("the marked file's mode: %v %v", st.Mode(), err)
	}
	if st, err := os.Stat(filepath.Dir(kept[0])); err != nil || st.Mode().Perm() != 0o700 {
		t.Errorf("the marked files' folder: %v %v", st.Mode(), err)
	}
}

// TestFortyMillionRowsBounded (#7): a worksheet of 40 million empty <row/> (a few hundred
// KB zipped) once cost 3.1 GB: rows were counted and the table sized before the
// 1,048,576-row limit was checked. It is refused by name, quickly, within 300 MB.
func TestFortyMillionRowsBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server process")
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, text := range map[string]string{
		"[Content_Types].xml":        `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`,
		"_rels/.rels":                `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
		"xl/workbook.xml":            `<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Báo cáo" sheetId="1" r:id="rId1"/></sheets></workbook>`,
		"xl/_rels/workbook.xml.rels": `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`,
	} {
		w, _ := zw.Create(name)
		_, _ = io.WriteString(w, text)
	}
	w, _ := zw.Create("xl/worksheets/sheet1.xml")
	bw := bufio.NewWriterSize(w, 1<<20)
	_, _ = bw.WriteString(`<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
	// the header of the wide layout with every measure, as the file had: the table
	// was sized for 40 million rows of 16 values
	_, _ = bw.WriteString(`<row r="1"><c r="A1" t="inlineStr"><is><t>Mã đơn vị</t></is></c><c r="B1" t="inlineStr"><is><t>Kỳ báo cáo</t></is></c>`)
	for i, m := range data.Measures {
		fmt.Fprintf(bw, `<c r="%c1" t="inlineStr"><is><t>%s</t></is></c>`, 'C'+i, m.Code)
	}
	_, _ = bw.WriteString(`</row>`)
	rows := bytes.Repeat([]byte("<row/>"), 1<<16)
	for n := 0; n < 40_000_000; n += 1 << 16 {
		if _, err := bw.Write(rows); err != nil {
			t.Fatal(err)
		}
	}
	_, _ = bw.WriteString(`</sheetData></worksheet>`)
	_ = bw.Flush()
	_ = zw.Close()
	s, pid, _ := boundedServer(t)
	vm0 := peakVM(t, pid)
	t.Logf("the workbook: %d KB; server at start: %d MB resident, %d MB of address space", buf.Len()>>10, peakRSS(t, pid), vm0)
	start := time.Now()
	code, body := s.upload(t, "officer01", "", "40m.xlsx", buf.Bytes())
	peak, vm := peakRSS(t, pid), peakVM(t, pid)
	t.Logf("answered %d in %s; peak RSS %d MB; address space grew %d MB", code, time.Since(start).Round(time.Millisecond), peak, vm-vm0)
	if code != 422 || !strings.Contains(fmt.Sprint(body["errors"]), `Trang tính "Báo cáo"`) || !strings.Contains(fmt.Sprint(body["errors"]), "1.048.576") {
		t.Errorf("upload: %d %v", code, body)
	}
	if peak > 300 || vm-vm0 > 1000 {
		t.Errorf("peak RSS %d MB, address space grown by %d MB, refusing 40 million empty rows", peak, vm-vm0)
	}
}
