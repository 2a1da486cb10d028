package ingest

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/egovkpi/egovkpi/data"
)

// The procedure catalogue of the index of Decision 766 (issue 17): CSV or XLSX, one row
// per procedure, imported by the committee or an administrator as a new version in force
// from the import's date. Recognised by its header (procedure_code, level, max_unit).

// RecordStore keeps the index's records besides dossiers; *data.Store is one. It is
// asked of the Store by a type assertion, so that stores for other tests need not have it.
type RecordStore interface {
	ImportCatalogue(ctx context.Context, imp data.CatalogueImport) (data.CatalogueVersion, error)
	CatalogueImported(ctx context.Context, sha string) (bool, error)
	ImportFeedback(ctx context.Context, imp data.FeedbackImport) (data.FeedbackResult, error)
	FeedbackImported(ctx context.Context, sha string) (bool, error)
}

// RecordReceipt is what a catalogue or feedback file became.
type RecordReceipt struct {
	Kind string `json:"kind"` // catalogue | feedback
	Rows int    `json:"rows"`
	// Version is the catalogue version stored (0 when dry), in force from InForceFrom.
	Version     int64  `json:"version,omitempty"`
	InForceFrom string `json:"in_force_from,omitempty"`
	// Units are the feedback's units; Replaced the records of the same ids stored before.
	Units    []string `json:"units,omitempty"`
	Replaced int      `json:"replaced,omitempty"`
}

// The columns of a catalogue file; the first eleven are required.
var catalogueColumns = []string{"procedure_code", "name_vi", "level", "unit_code", "max_processing", "max_unit", "online",
	"full_online_eligible", "paper_result", "fee", "payment_integrated",
	"announced_on", "effective_on", "published_on", "components_complete", "valid_from", "valid_to"}

const catalogueRequired = 11

// recTable is a CSV or XLSX file read as a header and rows of text.
type recTable struct {
	sheet string // the XLSX sheet; empty for CSV
	head  []string
	rows  [][]string
	lines []int // each row's line (CSV) or row number (XLSX)
}

// cellRef names where a row's column is: A2 in a sheet, nothing for CSV (the row says it).
func (t *recTable) cellRef(i, col int) string {
	if t.sheet == "" {
		return ""
	}
	n, _ := excelize.CoordinatesToCellName(col+1, t.lines[i])
	return n
}

// isXLSX says whether content is a zip (an XLSX workbook) by its name or its first bytes.
func isXLSX(name string, content []byte) bool {
	return strings.HasSuffix(strings.ToLower(name), ".xlsx") || bytes.HasPrefix(content, zipMagic)
}

// recordKind recognises a catalogue or a feedback file by its header, or "". A workbook is
// opened only when its shared strings hold a header name, so that reports (workbooks too)
// are not read twice.
func recordKind(name string, content []byte) string {
	var head []string
	if isXLSX(name, content) {
		if !sharedStringsHold(content, "procedure_code", "received_at") {
			return ""
		}
		t, err := readTable(name, content, 2)
		if err != nil {
			return ""
		}
		head = t.head
	} else {
		line, _, _ := bytes.Cut(bytes.TrimPrefix(content, []byte("\xef\xbb\xbf")), []byte("\n"))
		r := csv.NewReader(bytes.NewReader(line))
		h, err := r.Read()
		if err != nil {
			return ""
		}
		head = normHead(h)
	}
	has := map[string]bool{}
	for _, h := range head {
		has[h] = true
	}
	switch {
	case has["procedure_code"] && has["level"] && has["max_unit"]:
		return KindCatalogue
	case has["id"] && has["unit_code"] && has["received_at"] && has["outcome"] && !has["dossier_id"]:
		return KindFeedback
	}
	return ""
}

// sharedStringsHold says whether a workbook's shared strings contain any of the words.
func sharedStringsHold(content []byte, words ...string) bool {
	z, err := zip.NewReader(bytes.NewReader(content), int64(len(content)))
	if err != nil {
		return false
	}
	for _, f := range z.File {
		if f.Name != "xl/sharedStrings.xml" {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return false
		}
		b, _ := io.ReadAll(io.LimitReader(rc, 64<<20))
		_ = rc.Close() // read only
		for _, w := range words {
			if bytes.Contains(b, []byte(">"+w+"<")) {
				return true
			}
		}
	}
	return false
}

func normHead(h []string) []string {
	out := make([]string, len(h))
	for i, s := range h {
		out[i] = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(s, "\ufeff")))
	}
	return out
}

// readTable reads the first sheet of a workbook, or a CSV file (comma-separated, or
// semicolons when the header has no comma); limit > 0 stops after that many rows.
func readTable(name string, content []byte, limit int) (*recTable, error) {
	t := &recTable{}
	if isXLSX(name, content) {
		f, err := excelize.OpenReader(bytes.NewReader(content), excelize.Options{UnzipSizeLimit: 256 << 20})
		if err != nil {
			return nil, err
		}
		defer func() { _ = f.Close() }() // read only
		sheets := f.GetSheetList()
		if len(sheets) == 0 {
			return nil, errors.New("no sheet")
		}
		t.sheet = sheets[0]
		rows, err := f.Rows(t.sheet)
		if err != nil {
			return nil, err
		}
		defer func() { _ = rows.Close() }() // read only
		for n := 1; rows.Next(); n++ {
			// raw values: dates as serial numbers, whatever the cell's format shows
			cols, err := rows.Columns(excelize.Options{RawCellValue: true})
			if err != nil {
				return nil, err
			}
			if t.head == nil {
				t.head = normHead(cols)
				continue
			}
			if blank(cols) {
				continue
			}
			t.rows, t.lines = append(t.rows, cols), append(t.lines, n)
			if limit > 0 && len(t.rows) >= limit {
				break
			}
		}
		return t, nil
	}
	body := bytes.TrimPrefix(content, []byte("\xef\xbb\xbf"))
	r := csv.NewReader(bytes.NewReader(body))
	first, _, _ := bytes.Cut(body, []byte("\n"))
	if !bytes.Contains(first, []byte(",")) && bytes.Contains(first, []byte(";")) {
		r.Comma = ';'
	}
	r.FieldsPerRecord = -1
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		line, _ := r.FieldPos(0)
		if t.head == nil {
			t.head = normHead(rec)
			continue
		}
		if blank(rec) {
			continue
		}
		t.rows, t.lines = append(t.rows, rec), append(t.lines, line)
		if limit > 0 && len(t.rows) >= limit {
			break
		}
	}
	return t, nil
}

func blank(rec []string) bool {
	for _, s := range rec {
		if strings.TrimSpace(s) != "" {
			return false
		}
	}
	return true
}

// rowReader reads one row's cells by column name, collecting problems that name the
// file's row and column in the request's language.
type rowReader struct {
	t     *recTable
	i     int
	col   map[string]int
	lang  string
	probs *[]Problem
}

func (r *rowReader) get(name string) string {
	j, ok := r.col[name]
	if !ok || j >= len(r.t.rows[r.i]) {
		return ""
	}
	return strings.TrimSpace(r.t.rows[r.i][j])
}

// bad records a problem in the column name; vi and en take the same args after the
// column's name and the cell's text.
func (r *rowReader) bad(name, vi, en string, args ...any) {
	cell := r.get(name)
	j := r.col[name]
	a := append([]any{name, cell}, args...)
	*r.probs = append(*r.probs, Problem{Sheet: r.t.sheet, Cell: r.t.cellRef(r.i, j), Row: r.t.lines[r.i], Field: name,
		Message: msg(r.lang, "cột %s: %q "+vi, "column %s: %q "+en, a...)})
}

// boolean reads yes/no: true, 1, yes, x, có, đúng or false, 0, no, không, sai; empty is
// nil.
func (r *rowReader) boolean(name string) *bool {
	s := data.Fold(r.get(name))
	var v bool
	switch s {
	case "":
		return nil
	case "true", "1", "yes", "y", "x", "co", "dung", "t":
		v = true
	case "false", "0", "no", "n", "khong", "sai", "f":
		v = false
	default:
		r.bad(name, "không phải có/không (true/false)", "is not yes/no (true/false)")
		return nil
	}
	return &v
}

func (r *rowReader) flag(name string) bool {
	b := r.boolean(name)
	return b != nil && *b
}

// timeLayouts are the forms a date or time may take, in Viet Nam time.
var timeLayouts = []string{"2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02",
	"02/01/2006 15:04:05", "02/01/2006 15:04", "02/01/2006", "2/1/2006 15:04", "2/1/2006"}

// when reads a date or a time (Viet Nam time unless it says its zone; an Excel serial
// number in a workbook); the zero time when empty. dateOnly keeps the date only.
func (r *rowReader) when(name string, dateOnly bool) time.Time {
	s := r.get(name)
	if s == "" {
		return time.Time{}
	}
	t, ok := parseWhen(s)
	if !ok {
		r.bad(name, "không phải ngày giờ (viết 2026-09-03 hoặc 2026-09-03 08:00)", "is not a date or time (write 2026-09-03 or 2026-09-03 08:00)")
		return time.Time{}
	}
	if dateOnly {
		y, m, d := t.Date()
		t = time.Date(y, m, d, 0, 0, 0, 0, VietnamTime)
	}
	return t
}

func parseWhen(s string) (time.Time, bool) {
	for _, l := range timeLayouts {
		if t, err := time.ParseInLocation(l, s, VietnamTime); err == nil {
			return t, true
		}
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.In(VietnamTime), true
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && f > 1 && f < 2958466 {
		// an Excel serial date; its wall clock is Viet Nam time
		t, err := excelize.ExcelDateToTime(f, false)
		if err == nil {
			t = t.Round(time.Second)
			return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, VietnamTime), true
		}
	}
	return time.Time{}, false
}

// columnsOf maps the header to column numbers, refusing unknown and repeated names and
// missing required ones.
func columnsOf(t *recTable, known []string, required int, lang string) (map[string]int, []Problem) {
	var probs []Problem
	col := map[string]int{}
	ok := map[string]bool{}
	for _, k := range known {
		ok[k] = true
	}
	for j, h := range t.head {
		if h == "" {
			continue
		}
		cell := ""
		if t.sheet != "" {
			cell, _ = excelize.CoordinatesToCellName(j+1, 1)
		}
		_, dup := col[h]
		switch {
		case !ok[h]:
			probs = append(probs, Problem{Sheet: t.sheet, Cell: cell, Row: 1, Field: h, Message: msg(lang, "cột %q không có trong mẫu (các cột: %s)",
				"column %q is not one of the template's (the columns: %s)", h, strings.Join(known, ", "))})
		case dup:
			probs = append(probs, Problem{Sheet: t.sheet, Cell: cell, Row: 1, Field: h, Message: msg(lang, "cột %q lặp lại", "column %q appears twice", h)})
		default:
			col[h] = j
		}
	}
	for _, k := range known[:required] {
		if _, have := col[k]; !have {
			probs = append(probs, Problem{Row: 1, Field: k, Message: msg(lang, "thiếu cột %q", "the column %q is missing", k)})
		}
	}
	return col, probs
}

// The words a catalogue's coded columns take, and the Vietnamese ones read as them.
var (
	levelWords   = map[string]string{"province": "province", "tinh": "province", "commune": "commune", "xa": "commune", "ministry": "ministry", "bo": "ministry"}
	maxUnitWords = map[string]string{"hours": "hours", "hour": "hours", "gio": "hours", "days": "days", "day": "days", "ngay": "days",
		"working_days": "working_days", "working days": "working_days", "ngay lam viec": "working_days"}
	onlineWords = map[string]string{"none": "none", "khong": "none", "partial": "partial", "mot phan": "partial", "full": "full", "toan trinh": "full"}
)

// parseCatalogue reads and checks a catalogue file.
func parseCatalogue(name string, content []byte, reg *data.Registry, lang string) ([]data.CatalogueEntry, []Problem) {
	t, err := readTable(name, content, 0)
	if err != nil {
		return nil, []Problem{{Message: msg(lang, "Tệp %s không đọc được: %v", "The file %s cannot be read: %v", filepath.Base(name), err)}}
	}
	col, probs := columnsOf(t, catalogueColumns, catalogueRequired, lang)
	if len(probs) > 0 {
		return nil, probs
	}
	var out []data.CatalogueEntry
	seen := map[string]int{}
	for i := range t.rows {
		r := &rowReader{t: t, i: i, col: col, lang: lang, probs: &probs}
		before := len(probs)
		e := data.CatalogueEntry{Line: t.lines[i], Code: r.get("procedure_code"), NameVI: r.get("name_vi"), UnitCode: r.get("unit_code")}
		if e.Code == "" {
			r.bad("procedure_code", "trống: mỗi thủ tục cần mã", "is empty: every procedure needs its code")
		}
		if e.NameVI == "" {
			r.bad("name_vi", "trống: mỗi thủ tục cần tên", "is empty: every procedure needs its name")
		}
		var ok bool
		if e.Level, ok = levelWords[data.Fold(r.get("level"))]; !ok {
			r.bad("level", "không phải province, commune hoặc ministry", "is not province, commune or ministry")
		}
		if e.UnitCode != "" && e.Level != "" {
			u, found := reg.Latest(e.UnitCode)
			switch {
			case !found:
				r.bad("unit_code", "không phải mã đơn vị", "is not a unit's code")
			case (e.Level == "ministry") != (u.Group == data.Ministries):
				r.bad("unit_code", "không thuộc cấp %s", "is not of the level %s", e.Level)
			}
		}
		if s := r.get("max_processing"); s != "" {
			v, err := strconv.ParseFloat(strings.ReplaceAll(s, ",", "."), 64)
			if err != nil || v < 0 || math.IsInf(v, 0) || math.IsNaN(v) {
				r.bad("max_processing", "không phải số không âm", "is not a number of 0 or more")
			} else {
				e.MaxProcessing = &v
			}
			if e.MaxUnit, ok = maxUnitWords[data.Fold(r.get("max_unit"))]; !ok {
				r.bad("max_unit", "không phải hours, days hoặc working_days", "is not hours, days or working_days")
			}
		} else if s := r.get("max_unit"); s != "" {
			if e.MaxUnit, ok = maxUnitWords[data.Fold(s)]; !ok {
				r.bad("max_unit", "không phải hours, days hoặc working_days", "is not hours, days or working_days")
			}
		}
		if e.Online, ok = onlineWords[data.Fold(r.get("online"))]; !ok {
			r.bad("online", "không phải none, partial hoặc full", "is not none, partial or full")
		}
		e.FullOnlineEligible, e.PaperResult, e.Fee, e.PaymentIntegrated = r.flag("full_online_eligible"), r.flag("paper_result"), r.flag("fee"), r.flag("payment_integrated")
		e.ComponentsComplete = r.boolean("components_complete")
		e.AnnouncedOn, e.EffectiveOn, e.PublishedOn = r.when("announced_on", true), r.when("effective_on", true), r.when("published_on", true)
		e.ValidFrom, e.ValidTo = r.when("valid_from", true), r.when("valid_to", true)
		if !e.ValidFrom.IsZero() && !e.ValidTo.IsZero() && e.ValidTo.Before(e.ValidFrom) {
			r.bad("valid_to", "trước valid_from", "is before valid_from")
		}
		key := e.Code + "|" + e.Level + "|" + e.UnitCode
		if j, dup := seen[key]; dup && e.Code != "" {
			r.bad("procedure_code", "đã có ở dòng %d (cùng cấp và đơn vị)", "is already on row %d (same level and unit)", j)
		} else {
			seen[key] = e.Line
		}
		if len(probs) == before {
			out = append(out, e)
		}
	}
	return out, probs
}

// records is the store's RecordStore, or an error saying it has none.
func (in *Ingester) records() (RecordStore, error) {
	rs, ok := in.Store.(RecordStore)
	if !ok {
		return nil, fmt.Errorf("this store does not keep the 766 index's records")
	}
	return rs, nil
}

// ingestCatalogue imports a procedure catalogue: only the committee or an administrator
// (req.Benchmarks), all its rows or none, as a new version from the import's date.
func (in *Ingester) ingestCatalogue(ctx context.Context, req Request, o *Outcome) error {
	o.Layout = "catalogue"
	if !req.Benchmarks {
		o.refuse(StatusForbidden, &data.Error{Kind: data.ErrForbidden, VI: "Chỉ Ban chỉ đạo hoặc quản trị viên được nhập danh mục thủ tục hành chính",
			EN: "Only the committee or an administrator imports the procedure catalogue"})
		return nil
	}
	rs, err := in.records()
	if err != nil {
		return err
	}
	release, err := in.parseSlot(ctx)
	if err != nil {
		return err
	}
	entries, probs := parseCatalogue(req.Name, req.Content, in.Store.Units(), req.Lang)
	release()
	o.Errors = append(o.Errors, probs...)
	if len(entries) == 0 && len(o.Errors) == 0 {
		o.Errors = append(o.Errors, Problem{Message: msg(req.Lang, "Tệp không có dòng số liệu nào", "The file holds no data rows")})
	}
	if len(o.Errors) > 0 {
		return nil
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	if done, err := rs.CatalogueImported(ctx, o.SHA256); err != nil {
		return err
	} else if done {
		o.Identical = true
		return nil
	}
	at := req.At
	if at.IsZero() {
		at = in.now()
	}
	from := at.In(VietnamTime)
	o.Records = &RecordReceipt{Kind: KindCatalogue, Rows: len(entries), InForceFrom: from.Format("2006-01-02")}
	if req.DryRun {
		return nil
	}
	return in.landRecords(req, o, at, func(keep func() error) error {
		v, err := rs.ImportCatalogue(ctx, data.CatalogueImport{SHA256: o.SHA256, FileName: filepath.Base(req.Name), Actor: req.Actor, At: at,
			Entries: entries, Keep: keep})
		o.Records.Version = v.ID
		return err
	})
}

// landRecords stores a catalogue or feedback file the way dossier exports land (see
// landAtCommit).
func (in *Ingester) landRecords(req Request, o *Outcome, at time.Time, store func(keep func() error) error) error {
	entry := manifestEntry{SHA256: o.SHA256, Name: filepath.Base(req.Name), Actor: req.Actor, Source: req.Source, At: at.UTC(), Records: o.Kind}
	return in.landAtCommit(entry, func() error { return in.keep(o.SHA256, req.Content) }, store)
}

// holdsRecords reports whether the database has what a catalogue or feedback manifest
// entry brought (Reconcile).
func (in *Ingester) holdsRecords(ctx context.Context, e manifestEntry) (bool, error) {
	rs, err := in.records()
	if err != nil {
		return false, nil
	}
	if e.Records == KindCatalogue {
		return rs.CatalogueImported(ctx, e.SHA256)
	}
	return rs.FeedbackImported(ctx, e.SHA256)
}
