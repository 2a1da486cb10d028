package dashboard

import (
	"archive/zip"
	"bytes"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/xuri/excelize/v2"

	"github.com/egovkpi/egovkpi/data"
	"github.com/egovkpi/egovkpi/ingest"
)

// The bounds of marked files. excelize builds every row up to a marked sheet's last, and
// every cell up to each row's last (a 13 KB workbook whose 800 rows end at column XFD is
// 13 million cells, 2.5 GB), so a sheet is marked only when what excelize would build is
// small; the rest of the answer (the problems, with their cells) is the same either way.
const (
	markedTTL       = 30 * time.Minute
	markedMaxTotal  = 256 << 20 // the marked files kept on disk, together
	markedMaxRows   = 100_000   // rows of a marked sheet, up to its last (~150 bytes each in excelize)
	markedMaxCells  = 250_000   // cells of a marked sheet, filled in to each row's last (~200 bytes each)
	markedMaxUnzip  = 64 << 20  // the workbook unzipped, which excelize holds while it writes
	markedMaxMarks  = 1000      // problems marked; the answer lists them all anyway
	markedWaitBuild = 10 * time.Second
)

// markedFiles builds marked workbooks one at a time and keeps them on disk, 0600 in a
// folder of their own, until they expire or the total passes its cap (oldest go first).
// The zero value is ready: the folder is made under the OS temp dir on first use, unless
// dir is set.
type markedFiles struct {
	dir   string
	once  sync.Once
	slot  chan struct{} // one build at a time: each can take ~100 MB at its bounds
	mu    sync.Mutex
	files map[string]markedFile
	total int64
}

type markedFile struct {
	path string
	name string
	size int64
	at   time.Time
}

func (m *markedFiles) init() {
	m.once.Do(func() {
		m.slot = make(chan struct{}, 1)
		m.files = map[string]markedFile{}
		if m.dir != "" {
			return
		}
		// a server that stopped leaves its folder behind: sweep those long expired
		old, _ := filepath.Glob(filepath.Join(os.TempDir(), "egovkpi-marked-*"))
		for _, d := range old {
			if st, err := os.Stat(d); err == nil && st.IsDir() && time.Since(st.ModTime()) > 2*markedTTL {
				_ = os.RemoveAll(d) // best effort: what stays is swept at the next start
			}
		}
		if d, err := os.MkdirTemp("", "egovkpi-marked-"); err == nil {
			m.dir = d
		}
	})
}

// mark builds the uploaded workbook with each bad cell filled red and commented (both
// cells of a rule over two), a summary of the problems as its first sheet, keeps it, and
// returns the URL to download it from; "" when the file is not a workbook, has no problem
// with a cell, is too large to mark within the bounds above, or the builder is busy for
// longer than markedWaitBuild.
func (m *markedFiles) mark(content []byte, problems []ingest.Problem, name, lang string) string {
	if len(content) < 4 || string(content[:2]) != "PK" {
		return ""
	}
	ods := ingest.IsODS(content)
	// one comment a cell, its problems joined
	notes := map[[2]string][]string{}
	var cells [][2]string
	for _, p := range problems {
		if p.Sheet == "" {
			continue
		}
		for _, c := range problemCells(p) {
			k := [2]string{p.Sheet, c}
			if notes[k] == nil {
				if len(cells) == markedMaxMarks {
					continue
				}
				cells = append(cells, k)
			}
			notes[k] = append(notes[k], p.Message)
		}
	}
	if len(cells) == 0 || !ods && !markable(content, cells) {
		return ""
	}
	m.init()
	select {
	case m.slot <- struct{}{}:
		defer func() { <-m.slot }()
	case <-time.After(markedWaitBuild):
		return ""
	}
	if ods {
		// an OpenDocument spreadsheet comes back as a workbook, its cells where they were;
		// written within the same bounds, one at a time like the marking itself
		x, err := ingest.ODSAsXLSX(content, markedMaxRows, markedMaxCells)
		if err != nil || !markable(x, cells) {
			return ""
		}
		content, name = x, strings.TrimSuffix(name, filepath.Ext(name))+".xlsx"
	}
	path, size, err := m.build(content, cells, notes, problems, lang)
	if err != nil {
		return ""
	}
	return m.keep(path, name, size)
}

// markable says whether what excelize builds to mark these cells stays within the bounds,
// from the workbook's zip directory and a streamed scan of its sheets.
func markable(content []byte, cells [][2]string) bool {
	zr, err := zip.NewReader(bytes.NewReader(content), int64(len(content)))
	if err != nil {
		return false
	}
	var unzipped uint64
	for _, f := range zr.File {
		unzipped += f.UncompressedSize64 // archive/zip refuses a part longer than it says
	}
	if unzipped > markedMaxUnzip {
		return false
	}
	sizes, err := ingest.SheetSizes(content)
	if err != nil {
		return false
	}
	for _, k := range cells {
		s, ok := sizes[k[0]]
		if !ok || s.MaxRow > markedMaxRows || s.Cells > markedMaxCells {
			return false
		}
	}
	return true
}

// problemCells are the cells a problem is about: a rule's every cell, or its one.
func problemCells(p ingest.Problem) []string {
	if len(p.Cells) > 0 {
		return p.Cells
	}
	if p.Cell != "" {
		return []string{p.Cell}
	}
	return nil
}

// build writes the marked workbook to a new file in the folder.
func (m *markedFiles) build(content []byte, cells [][2]string, notes map[[2]string][]string, problems []ingest.Problem, lang string) (path string, size int64, err error) {
	defer func() {
		if r := recover(); r != nil { // a file that broke the reader cannot be marked either
			err = fmt.Errorf("mark: %v", r)
		}
		if err != nil && path != "" {
			_ = os.Remove(path) // a half-written file in our own folder; the error is err's
		}
	}()
	f, err := excelize.OpenReader(bytes.NewReader(content), excelize.Options{UnzipSizeLimit: markedMaxUnzip})
	if err != nil {
		return "", 0, fmt.Errorf("mark: %w", err)
	}
	defer func() { _ = f.Close() }() // frees excelize's temporary files; the bytes are written already
	// the summary reads the values as the file has them, before anything changes
	if err := problemSummary(f, problems, lang); err != nil {
		return "", 0, fmt.Errorf("mark: %w", err)
	}
	// each cell keeps its own style (number format, font, borders, alignment) with the
	// mark's fill added: one marked style for each style the marked cells had
	marked := map[int]int{}
	for _, k := range cells {
		orig, err := f.GetCellStyle(k[0], k[1])
		if err != nil {
			continue // not a cell of this workbook: its problem is in the summary still
		}
		red, ok := marked[orig]
		if !ok {
			st, err := f.GetStyle(orig)
			if err != nil || st == nil {
				st = &excelize.Style{}
			}
			st.Fill = excelize.Fill{Type: "pattern", Color: []string{"F4B6B0"}, Pattern: 1}
			if red, err = f.NewStyle(st); err != nil {
				return "", 0, fmt.Errorf("mark: %w", err)
			}
			marked[orig] = red
		}
		if err := f.SetCellStyle(k[0], k[1], k[1], red); err != nil {
			return "", 0, fmt.Errorf("mark: %w", err)
		}
		// a cell that has a note of its own keeps it: the fill and the summary say the rest
		_ = f.AddComment(k[0], excelize.Comment{Cell: k[1], Author: "egovkpi", Paragraph: []excelize.RichTextRun{{Text: strings.Join(notes[k], "\n")}}})
	}
	if err := os.MkdirAll(m.dir, 0o700); err != nil { // swept by another server's start
		return "", 0, fmt.Errorf("mark: %w", err)
	}
	out, err := os.CreateTemp(m.dir, "*.xlsx") // 0600
	if err != nil {
		return "", 0, fmt.Errorf("mark: %w", err)
	}
	path = out.Name()
	if _, err := f.WriteTo(out); err != nil {
		_ = out.Close() // the write's error is the one to tell; the file is removed
		return path, 0, fmt.Errorf("mark: %w", err)
	}
	st, err := out.Stat()
	if err != nil {
		_ = out.Close() // as above
		return path, 0, fmt.Errorf("mark: %w", err)
	}
	return path, st.Size(), out.Close()
}

// keep records a marked file, drops the expired ones and, past the cap, the oldest.
func (m *markedFiles) keep(path, name string, size int64) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.expire()
	id := data.RandomSecret(16)
	m.files[id] = markedFile{path: path, name: name, size: size, at: time.Now()}
	m.total += size
	if m.total > markedMaxTotal {
		ids := make([]string, 0, len(m.files))
		for k := range m.files {
			ids = append(ids, k)
		}
		slices.SortFunc(ids, func(a, b string) int { return m.files[a].at.Compare(m.files[b].at) })
		for _, k := range ids {
			if m.total <= markedMaxTotal {
				break
			}
			m.drop(k)
		}
	}
	if _, ok := m.files[id]; !ok {
		return "" // larger than the cap alone
	}
	return "/api/v1/submissions/marked/" + id
}

// expire drops the files older than markedTTL; m.mu is held.
func (m *markedFiles) expire() {
	for k, f := range m.files {
		if time.Since(f.at) > markedTTL {
			m.drop(k)
		}
	}
}

func (m *markedFiles) drop(id string) {
	f := m.files[id]
	_ = os.Remove(f.path) // gone already (a swept folder) is as good
	m.total -= f.size
	delete(m.files, id)
}

// open is a kept marked file, or false when it expired.
func (m *markedFiles) open(id string) (*os.File, markedFile, bool) {
	m.init()
	m.mu.Lock()
	defer m.mu.Unlock()
	m.expire()
	f, ok := m.files[id]
	if !ok {
		return nil, f, false
	}
	r, err := os.Open(f.path) // still readable if it is dropped while being sent
	if err != nil {
		m.drop(id)
		return nil, f, false
	}
	return r, f, true
}

// GET /api/v1/submissions/marked/:id
func (s *Server) markedFile(c echo.Context) error {
	r, f, ok := s.marked.open(c.Param("id"))
	if !ok {
		if langOf(c) == "en" {
			return fmt.Errorf("%w: the marked file has expired; upload again", data.ErrNotFound)
		}
		return fmt.Errorf("%w: tệp đánh dấu lỗi đã hết hạn; hãy tải tệp lên lại", data.ErrNotFound)
	}
	defer func() { _ = r.Close() }() // read-only
	c.Response().Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename*=UTF-8''%s", urlPathEscape("loi-"+f.name)))
	return c.Stream(http.StatusOK, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", r)
}

// problemSummary puts a sheet listing every problem first in the marked workbook: where
// (sheet and cells, or the line), which measure by its name, the value as the file has
// it, and what is wrong. A marked file sent back with its summary replaces the old one
// (the report reader skips the sheet).
func problemSummary(f *excelize.File, problems []ingest.Problem, lang string) error {
	name := pick(lang, ingest.SummarySheetVI, ingest.SummarySheetEN)
	if i, _ := f.GetSheetIndex(name); i >= 0 {
		if err := f.DeleteSheet(name); err != nil {
			return err
		}
	}
	first := f.GetSheetList()[0]
	if _, err := f.NewSheet(name); err != nil {
		return err
	}
	if err := f.MoveSheet(name, first); err != nil {
		return err
	}
	f.SetActiveSheet(0)
	var failed error
	keep := func(err error) {
		if failed == nil {
			failed = err
		}
	}
	heads := []string{pick(lang, "Trang", "Sheet"), pick(lang, "Ô", "Cell"), pick(lang, "Chỉ tiêu", "Measure"),
		pick(lang, "Giá trị đã ghi", "Value as written"), pick(lang, "Lỗi", "Problem")}
	for i, h := range heads {
		cell, _ := excelize.CoordinatesToCellName(i+1, 1)
		keep(f.SetCellStr(name, cell, h))
	}
	head, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Color: "FFFFFF"}, Fill: excelize.Fill{Type: "pattern", Color: []string{"B3261E"}, Pattern: 1},
		Alignment: &excelize.Alignment{Vertical: "center"}})
	wrap, _ := f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	keep(f.SetCellStyle(name, "A1", "E1", head))
	for i, w := range []float64{16, 12, 44, 22, 70} {
		col, _ := excelize.ColumnNumberToName(i + 1)
		keep(f.SetColWidth(name, col, col, w))
	}
	keep(f.SetPanes(name, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}))
	shown := problems[:min(len(problems), markedMaxMarks)]
	for i, p := range shown {
		row := i + 2
		cells := problemCells(p)
		where := strings.Join(cells, ", ")
		if len(cells) == 0 && p.Row > 0 {
			where = fmt.Sprintf(pick(lang, "dòng %d", "row %d"), p.Row)
		}
		fields := p.Fields
		if len(fields) == 0 && p.Field != "" {
			fields = []string{p.Field}
		}
		var measures, values []string
		for _, fd := range fields {
			measures = append(measures, fieldName(fd, lang))
		}
		if p.Sheet != "" {
			for _, c := range cells {
				values = append(values, writtenValue(f, p.Sheet, c, lang))
			}
		}
		for c, v := range []string{p.Sheet, where, strings.Join(measures, "; "), strings.Join(values, "; "), p.Message} {
			cell, _ := excelize.CoordinatesToCellName(c+1, row)
			keep(f.SetCellStr(name, cell, v))
		}
	}
	if len(problems) > len(shown) {
		keep(f.SetCellStr(name, fmt.Sprintf("E%d", len(shown)+2), fmt.Sprintf(pick(lang, "… và %d lỗi khác", "… and %d more"), len(problems)-len(shown))))
	}
	keep(f.SetCellStyle(name, "A2", fmt.Sprintf("E%d", len(shown)+2), wrap))
	return failed
}

// fieldName is what a problem's field is called: a measure by its name, the unit and
// the period in words.
func fieldName(field, lang string) string {
	switch field {
	case "unit":
		return pick(lang, "Mã đơn vị", "Unit")
	case "period":
		return pick(lang, "Kỳ báo cáo", "Period")
	}
	return ingest.MeasureName(field, lang)
}

// writtenValue is a cell's value as the file has it: text as written ("158.9OO"), a
// number in the reader's convention (171.300).
func writtenValue(f *excelize.File, sheet, cell, lang string) string {
	raw, err := f.GetCellValue(sheet, cell, excelize.Options{RawCellValue: true})
	if err != nil {
		return ""
	}
	if t, _ := f.GetCellType(sheet, cell); t == excelize.CellTypeNumber || t == excelize.CellTypeUnset {
		if v, err := strconv.ParseFloat(raw, 64); err == nil {
			dec := 0
			if _, frac, ok := strings.Cut(strconv.FormatFloat(v, 'f', -1, 64), "."); ok {
				dec = min(len(frac), 4)
			}
			return FormatNumber(v, dec, lang)
		}
	}
	return raw
}
