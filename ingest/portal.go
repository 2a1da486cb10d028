package ingest

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/egovkpi/egovkpi/data"
)

// The scores of Decision 766 that the National Public Service Portal publishes (issue 17,
// reconciliation): a workbook, an OpenDocument spreadsheet or a CSV file with one row per
// unit and period — the unit's code or name, the period, the total, the six groups (CKMB,
// TDGQ, ONLINE, TTTT, MDSH, MDHL) and optionally the rank — in English or Vietnamese
// headers and numbers. Only the committee or an administrator imports them, the whole file
// or nothing; a unit and period imported again becomes a new version, the old one kept.

// KindPortalScores is the portal's published 766 scores (portal.go).
const KindPortalScores = "portal_scores"

// PortalStore keeps the portal's scores; *data.Store is one. Asked of the Store by a type
// assertion, as RecordStore is.
type PortalStore interface {
	ImportPortalScores(ctx context.Context, imp data.PortalImport) (data.PortalResult, error)
	PortalScoresImported(ctx context.Context, sha string) (bool, error)
}

// portalColumn is what a header means: "unit_code", "unit_name", "period", "total",
// "rank", or a group's code.
type portalColumn string

// portalHeaders are the headers, folded (header()), and what they mean. Group headers are
// also recognised by their Vietnamese names and by a code in parentheses ("Công khai, minh
// bạch (CKMB)").
var portalHeaders = func() map[string]portalColumn {
	m := map[string]portalColumn{}
	add := func(c portalColumn, names ...string) {
		for _, n := range names {
			m[n] = c
		}
	}
	add("unit_code", "unit_code", "unit code", "ma don vi", "ma dv", "ma", "code", "ma tinh", "ma bo")
	add("unit_name", "unit_name", "unit name", "unit", "don vi", "ten don vi", "ten", "name", "name_vi", "co quan, don vi",
		"tinh, thanh pho", "tinh/thanh pho", "tinh thanh pho", "bo, nganh", "bo/nganh", "bo nganh", "bo, co quan")
	add("period", "period", "ky", "ky danh gia", "ky bao cao", "thoi gian", "thoi gian danh gia", "thang", "month")
	add("total", "total", "total score", "tong diem", "tong", "tong so diem", "diem", "diem tong", "tong cong")
	add("rank", "rank", "xep hang", "hang", "thu hang", "thu tu", "vi tri")
	add("CKMB", "ckmb", "cong khai, minh bach", "cong khai minh bach")
	add("TDGQ", "tdgq", "tien do, ket qua giai quyet", "tien do ket qua giai quyet", "tien do giai quyet")
	add("ONLINE", "online", "cung cap dich vu truc tuyen", "dich vu truc tuyen", "dvc truc tuyen")
	add("TTTT", "tttt", "thanh toan truc tuyen")
	add("MDSH", "mdsh", "so hoa ho so", "muc do so hoa", "muc do so hoa ho so")
	add("MDHL", "mdhl", "muc do hai long", "hai long")
	add("", "stt", "tt", "so tt", "no", "#", "ghi chu", "note", "notes")
	return m
}()

var portalCodeInParens = regexp.MustCompile(`\((ckmb|tdgq|online|tttt|mdsh|mdhl)\)`)

// portalColumnOf reads one header cell: "" and false for a header this file does not know.
func portalColumnOf(cell string) (portalColumn, bool) {
	h := header(cell)
	if h == "" {
		return "", false
	}
	if g := portalCodeInParens.FindStringSubmatch(h); g != nil {
		return portalColumn(strings.ToUpper(g[1])), true
	}
	if c, ok := portalHeaders[h]; ok {
		return c, true
	}
	// "CKMB (18 điểm)", "Tổng điểm (100)"
	c, ok := portalHeaders[strings.TrimSpace(parens.ReplaceAllString(h, ""))]
	return c, ok
}

// portalHead is a header row found: each column's meaning, and where it is.
type portalHead struct {
	row  int // 0-based
	cols map[portalColumn]int
	// unknown are the headers not understood (ignored, and said so in a warning)
	unknown []string
}

// findPortalHead finds the header row among a sheet's first rows: one with a total and at
// least four of the six groups.
func findPortalHead(sh *sheet) (*portalHead, bool) {
	for r, row := range sh.rows {
		h := &portalHead{row: r, cols: map[portalColumn]int{}}
		groups := 0
		for c, cell := range row {
			col, ok := portalColumnOf(cell)
			if !ok {
				if strings.TrimSpace(cell) != "" {
					h.unknown = append(h.unknown, strings.TrimSpace(cell))
				}
				continue
			}
			if col == "" {
				continue
			}
			if _, dup := h.cols[col]; dup {
				continue // the first one counts; the repeat is said in a problem when read
			}
			h.cols[col] = c
			if isPortalGroup(col) {
				groups++
			}
		}
		if _, ok := h.cols["total"]; ok && groups >= 4 {
			return h, true
		}
	}
	return nil, false
}

func isPortalGroup(c portalColumn) bool {
	for _, g := range data.PortalGroups {
		if string(c) == g {
			return true
		}
	}
	return false
}

// isPortalScores recognises a portal-scores file: its text names the groups (a cheap look
// at the shared strings or the first bytes), then a header row with a total and the groups.
func isPortalScores(name string, content []byte) bool {
	if !portalWords(content) {
		return false
	}
	sh, done := firstSheet(content)
	defer done()
	if sh == nil {
		return false
	}
	_, ok := findPortalHead(sh)
	return ok
}

// portalWords says whether the file's first text names at least two of the groups, by code
// or by Vietnamese name, without parsing it.
func portalWords(content []byte) bool {
	var text []byte
	if bytes.HasPrefix(content, zipMagic) {
		z, err := zip.NewReader(bytes.NewReader(content), int64(len(content)))
		if err != nil {
			return false
		}
		for _, f := range z.File {
			if f.Name != "xl/sharedStrings.xml" && f.Name != "content.xml" && f.Name != "xl/worksheets/sheet1.xml" {
				continue
			}
			rc, err := f.Open()
			if err != nil {
				continue
			}
			b, _ := io.ReadAll(io.LimitReader(rc, 256<<10))
			_ = rc.Close() // read only
			text = append(text, b...)
		}
	} else {
		text = content[:min(len(content), 16<<10)]
	}
	f := data.Fold(string(text))
	has := func(words ...string) bool {
		for _, w := range words {
			if strings.Contains(f, w) {
				return true
			}
		}
		return false
	}
	n := 0
	for _, words := range [][]string{{"ckmb", "cong khai, minh bach"}, {"tdgq", "tien do, ket qua"}, {"tttt", "thanh toan truc tuyen"},
		{"mdsh", "so hoa ho so"}, {"mdhl", "muc do hai long"}} {
		if has(words...) {
			n++
		}
	}
	return n >= 2
}

var portalNumber = regexp.MustCompile(`^[0-9]+([.,][0-9]+)?$`)

// portalScore reads a score as the portal and Vietnamese officials write it (17,5) or in
// English (17.5); empty, "-" and "—" are no score.
func portalScore(raw string) (v float64, empty, ok bool) {
	s := strings.Map(func(r rune) rune {
		if r == ' ' || r == '\u00a0' || r == '\u2009' || r == '\u202f' {
			return -1
		}
		return r
	}, raw)
	switch s {
	case "", "-", "—", "–":
		return 0, true, true
	}
	if !portalNumber.MatchString(s) {
		// a workbook's raw number may carry more digits or an exponent (17.499999999999996)
		if f, err := strconv.ParseFloat(s, 64); err == nil && !math.IsNaN(f) && !math.IsInf(f, 0) && f >= 0 {
			return f, false, true
		}
		return 0, false, false
	}
	f, err := strconv.ParseFloat(strings.Replace(s, ",", ".", 1), 64)
	return f, false, err == nil
}

// portalPeriod reads a period: 2026-10, 2026-Q3, 2026-H2, 2026, Tháng 10/2026, Quý III/2026,
// or a date a workbook made of "10/2026" (an Excel serial number: its month).
func portalPeriod(raw string) (data.Period, bool) {
	if f, err := strconv.ParseFloat(raw, 64); err == nil && f > 3000 {
		t, ok := parseWhen(raw)
		if !ok {
			return data.Period{}, false
		}
		return data.MonthPeriod(data.MonthOf(t)), true
	}
	p, err := data.ParsePeriod(raw)
	if err != nil {
		return data.Period{}, false
	}
	switch p.Kind {
	case data.KindMonth, data.KindQuarter, data.KindHalf, data.KindYear:
		return p, true
	}
	return data.Period{}, false
}

// parsePortalScores reads and checks a portal-scores file; periods that have not begun by
// thisMonth are problems of their row.
func parsePortalScores(name string, content []byte, reg *data.Registry, thisMonth data.Month, lang string) (scores []data.PortalScore, warnings, problems []Problem) {
	sh, done := firstSheet(content)
	defer done()
	if sh == nil {
		return nil, nil, []Problem{{Message: msg(lang, "Không đọc được tệp %s: hãy lưu dưới dạng .xlsx, .ods hoặc .csv", "Cannot read %s: save it as .xlsx, .ods or .csv", filepath.Base(name))}}
	}
	head, ok := findPortalHead(sh)
	if !ok {
		return nil, nil, []Problem{{Sheet: sh.name, Message: msg(lang,
			"Không tìm thấy dòng tiêu đề: cần các cột Mã đơn vị (hoặc Đơn vị), Kỳ, Tổng điểm và CKMB, TDGQ, ONLINE, TTTT, MDSH, MDHL",
			"No header row found: the columns unit_code (or the unit's name), period, total and CKMB, TDGQ, ONLINE, TTTT, MDSH, MDHL are needed")}}
	}
	for _, need := range append([]string{"period", "total"}, data.PortalGroups...) {
		if _, ok := head.cols[portalColumn(need)]; !ok {
			problems = append(problems, Problem{Sheet: sh.name, Row: head.row + 1, Field: need,
				Message: msg(lang, "thiếu cột %s", "the column %s is missing", need)})
		}
	}
	_, hasCode := head.cols["unit_code"]
	_, hasName := head.cols["unit_name"]
	if !hasCode && !hasName {
		problems = append(problems, Problem{Sheet: sh.name, Row: head.row + 1, Field: "unit_code",
			Message: msg(lang, "thiếu cột Mã đơn vị (unit_code) hoặc Đơn vị (tên)", "the column unit_code (or the unit's name) is missing")})
	}
	if len(problems) > 0 {
		return nil, nil, problems
	}
	if len(head.unknown) > 0 {
		warnings = append(warnings, Problem{Sheet: sh.name, Row: head.row + 1,
			Message: msg(lang, "các cột không dùng đến (bỏ qua): %s", "columns not used (ignored): %s", strings.Join(head.unknown, ", "))})
	}
	seen := map[string]int{}
	err := sh.each(head.row+1, func(r int, row []string) {
		if emptyRow(row) {
			return
		}
		before := len(problems)
		bad := func(col portalColumn, vi, en string, args ...any) {
			cell := at(row, head.cols[col])
			a := append([]any{headerText(sh, head, col), cell}, args...)
			problems = append(problems, Problem{Sheet: sh.name, Cell: cellName(head.cols[col], r), Row: r + 1, Field: string(col),
				Message: msg(lang, "cột %s: %q "+vi, "column %s: %q "+en, a...)})
		}
		sc := data.PortalScore{Line: r + 1, Groups: map[string]float64{}}
		periodText := at(row, head.cols["period"])
		p, okP := portalPeriod(periodText)
		switch {
		case periodText == "":
			bad("period", "trống: cần kỳ đánh giá (2026-10, 2026-Q3, Quý III/2026…)", "is empty: the period is needed (2026-10, 2026-Q3, Q3 as Quý III/2026…)")
		case !okP:
			bad("period", "không phải kỳ: viết tháng (2026-10, Tháng 10/2026), quý (2026-Q3, Quý III/2026), 6 tháng (2026-H2) hoặc năm (2026)",
				"is not a period: write a month (2026-10), a quarter (2026-Q3, Quý III/2026), a half-year (2026-H2) or a year (2026)")
		case p.From > thisMonth:
			bad("period", "chưa bắt đầu (tháng hiện tại %s)", "has not begun (the current month is %s)", thisMonth)
		default:
			sc.Period = p
		}
		// the unit, as it existed in the period: a name from before the 2025 mergers is a
		// unit only for a period before them
		codeText, nameText := "", ""
		if hasCode {
			codeText = at(row, head.cols["unit_code"])
		}
		if hasName {
			nameText = at(row, head.cols["unit_name"])
		}
		unitCol, unitText := portalColumn("unit_code"), codeText
		if codeText == "" {
			unitCol, unitText = "unit_name", nameText
		}
		var u data.Unit
		switch {
		case unitText == "":
			bad(unitCol, "trống: cần mã hoặc tên đơn vị", "is empty: the unit's code or name is needed")
		case okP:
			var found bool
			if u, found = reg.Find(unitText, p.To); !found {
				u, found = reg.Find(unitText, p.From)
			}
			switch {
			case !found:
				problems = append(problems, Problem{Sheet: sh.name, Cell: cellName(head.cols[unitCol], r), Row: r + 1, Field: string(unitCol),
					Message: unknownUnit(reg, unitText, p.To, lang)})
			case u.Group == data.Communes:
				bad(unitCol, "là xã, phường: đối chiếu chỉ số 766 so sánh tỉnh, thành phố và bộ, ngành", "is a commune: the reconciliation compares provinces and ministries")
			case codeText != "" && nameText != "":
				if n, ok := reg.Find(nameText, p.To); ok && n.Code != u.Code {
					bad("unit_name", "là %s (%s), không phải đơn vị có mã %s", "is %s (%s), not the unit of code %s", n.NameVI, n.Code, u.Code)
				}
			}
			sc.UnitCode = u.Code
		}
		total, empty, ok := portalScore(at(row, head.cols["total"]))
		switch {
		case !ok:
			bad("total", "không phải số (viết 87,25 hoặc 87.25)", "is not a number (write 87,25 or 87.25)")
		case empty:
			bad("total", "trống: cần tổng điểm", "is empty: the total is needed")
		case total > 100+1e-9:
			bad("total", "lớn hơn 100 điểm", "is above 100 points")
		default:
			sc.Total = total
		}
		for _, g := range data.PortalGroups {
			v, empty, ok := portalScore(at(row, head.cols[portalColumn(g)]))
			switch {
			case !ok:
				bad(portalColumn(g), "không phải số (viết 17,5 hoặc 17.5)", "is not a number (write 17,5 or 17.5)")
			case empty:
				// the portal left the group out for this unit: compared as no score
			case v > data.PortalGroupMax[g]+1e-9:
				bad(portalColumn(g), "lớn hơn điểm tối đa của nhóm (%v)", "is above the group's maximum (%v)", data.PortalGroupMax[g])
			default:
				sc.Groups[g] = v
			}
		}
		if _, has := head.cols["rank"]; has {
			if s := at(row, head.cols["rank"]); s != "" {
				n, err := strconv.Atoi(strings.TrimSuffix(s, ".0"))
				if err != nil || n < 1 {
					bad("rank", "không phải thứ hạng (số nguyên từ 1)", "is not a rank (a whole number from 1)")
				} else {
					sc.Rank = &n
				}
			}
		}
		if sc.UnitCode != "" && !sc.Period.From.IsZero() {
			key := sc.UnitCode + "|" + sc.Period.String()
			if first, dup := seen[key]; dup {
				bad(unitCol, "đã có ở dòng %d cho kỳ %s", "is already on row %d for %s", first, sc.Period.Label(lang))
			} else {
				seen[key] = r + 1
			}
		}
		if len(problems) == before {
			scores = append(scores, sc)
		}
	})
	if err != nil {
		problems = append(problems, Problem{Sheet: sh.name, Message: msg(lang, "Không đọc hết được tệp %s: %v", "Cannot read all of %s: %v", filepath.Base(name), err)})
	}
	return scores, warnings, problems
}

// headerText is a column's header as the file writes it.
func headerText(sh *sheet, h *portalHead, col portalColumn) string {
	if h.row < len(sh.rows) {
		if s := at(sh.rows[h.row], h.cols[col]); s != "" {
			return s
		}
	}
	return string(col)
}

// ingestPortalScores imports the portal's published scores: only the committee or an
// administrator (req.Benchmarks), all the rows or none.
func (in *Ingester) ingestPortalScores(ctx context.Context, req Request, o *Outcome) error {
	o.Layout = KindPortalScores
	if !req.Benchmarks {
		o.refuse(StatusForbidden, &data.Error{Kind: data.ErrForbidden, VI: "Chỉ Ban chỉ đạo hoặc quản trị viên được nhập điểm Cổng Dịch vụ công quốc gia công bố",
			EN: "Only the committee or an administrator imports the scores the National Public Service Portal publishes"})
		return nil
	}
	ps, ok := in.Store.(PortalStore)
	if !ok {
		return fmt.Errorf("this store does not keep the portal's scores")
	}
	release, err := in.parseSlot(ctx)
	if err != nil {
		return err
	}
	scores, warns, probs := parsePortalScores(req.Name, req.Content, in.Store.Units(), data.MonthOf(in.now().In(VietnamTime)), req.Lang)
	release()
	o.Errors, o.Warnings = append(o.Errors, probs...), append(o.Warnings, warns...)
	if len(scores) == 0 && len(o.Errors) == 0 {
		o.Errors = append(o.Errors, Problem{Message: msg(req.Lang, "Tệp không có dòng số liệu nào", "The file holds no data rows")})
	}
	if len(o.Errors) > 0 {
		return nil
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	if done, err := ps.PortalScoresImported(ctx, o.SHA256); err != nil {
		return err
	} else if done {
		o.Identical = true
		return nil
	}
	at := req.At
	if at.IsZero() {
		at = in.now()
	}
	units := map[string]bool{}
	o.Records = &RecordReceipt{Kind: KindPortalScores, Rows: len(scores)}
	for _, sc := range scores {
		if !units[sc.UnitCode] {
			units[sc.UnitCode] = true
			o.Records.Units = append(o.Records.Units, sc.UnitCode)
		}
	}
	imp := data.PortalImport{SHA256: o.SHA256, FileName: filepath.Base(req.Name), Actor: req.Actor, At: at, Scores: scores, DryRun: req.DryRun}
	if req.DryRun {
		res, err := ps.ImportPortalScores(ctx, imp) // checked in a transaction rolled back
		o.Records.Replaced = res.Superseded
		return err
	}
	return in.landRecords(req, o, at, func(keep func() error) error {
		imp.Keep = keep
		res, err := ps.ImportPortalScores(ctx, imp)
		o.Records.Replaced = res.Superseded
		o.Identical = res.Identical
		return err
	})
}

// holdsPortalScores reports whether the database has a portal-scores file (Reconcile).
func (in *Ingester) holdsPortalScores(ctx context.Context, sha string) (bool, error) {
	ps, ok := in.Store.(PortalStore)
	if !ok {
		return false, nil
	}
	return ps.PortalScoresImported(ctx, sha)
}

// PortalTemplate is an empty portal-scores workbook: the header the import reads, and one
// example row, so that the committee copies the portal's table into the right columns.
func PortalTemplate(example data.Period) ([]byte, error) {
	f := excelize.NewFile()
	defer func() { _ = f.Close() }() // the bytes are written by then
	const sh = "Điểm Cổng DVCQG"
	if err := f.SetSheetName("Sheet1", sh); err != nil {
		return nil, err
	}
	head := append([]any{"Mã đơn vị", "Đơn vị", "Kỳ", "Tổng điểm"}, anyStrings(data.PortalGroups)...)
	head = append(head, "Xếp hạng")
	row := []any{"01", "Thành phố Hà Nội", example.String(), 87.25, 16.5, 18.25, 11, 9.5, 17, 15, 3}
	if err := f.SetSheetRow(sh, "A1", &head); err != nil {
		return nil, err
	}
	if err := f.SetSheetRow(sh, "A2", &row); err != nil {
		return nil, err
	}
	if err := f.SetColWidth(sh, "B", "B", 28); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func anyStrings(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}
