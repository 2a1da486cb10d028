package ingest

import (
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/egovkpi/egovkpi/data"
)

// header folds a header cell: lower case, no diacritics, single spaces, no trailing colon.
func header(s string) string {
	f := data.Fold(s)
	f = strings.TrimRight(f, " :.*")
	return f
}

var (
	unitHeaders   = set("ma don vi", "don vi", "tinh, thanh pho", "tinh thanh pho", "tinh/thanh pho", "bo, nganh", "bo nganh", "bo/nganh", "unit", "unit_code", "unit code", "ma tinh", "ten don vi", "co quan, don vi")
	periodHeaders = set("ky bao cao", "thang", "period", "ky", "thang bao cao", "month")
	codeHeaders   = set("ma chi tieu", "ma", "code", "measure", "measure code", "ma so")
	labelHeaders  = set("chi tieu", "ten chi tieu", "noi dung", "label", "indicator")
	valueHeaders  = set("gia tri", "so lieu", "value", "thuc hien", "ket qua", "so luong", "gia tri bao cao")
	sttHeaders    = set("stt", "tt", "so tt", "so thu tu", "no", "no.", "#")
	totalWords    = set("tong", "tong cong", "cong", "ca nuoc", "toan quoc", "total", "grand total", "tong so")
)

func set(xs ...string) map[string]bool {
	m := map[string]bool{}
	for _, x := range xs {
		m[x] = true
	}
	return m
}

var parens = regexp.MustCompile(`\s*\([^)]*\)\s*$`)

// measureOf recognises a measure column by its code or its Vietnamese or English label,
// with or without diacritics and the parenthesised part.
func measureOf(h string) (string, bool) {
	if m, ok := data.LookupMeasure(h); ok {
		return m.Code, true
	}
	hs := parens.ReplaceAllString(h, "")
	for i, m := range data.Measures {
		if hs == shortLabels()[i][0] || hs == shortLabels()[i][1] {
			return m.Code, true
		}
	}
	return "", false
}

// shortLabels are the measures' labels as headers, without a trailing "(…)", made once.
var shortLabels = sync.OnceValue(func() [][2]string {
	out := make([][2]string, len(data.Measures))
	for i, m := range data.Measures {
		out[i] = [2]string{parens.ReplaceAllString(header(m.LabelVI), ""), parens.ReplaceAllString(header(m.LabelEN), "")}
	}
	return out
})

// headerRow joins a header that spans two rows or merged cells into one label a column.
func headerRow(sh *sheet, r int, twoRows bool) []string {
	width := 0
	for i := r; i <= r+1 && i < len(sh.rows); i++ {
		width = max(width, len(sh.rows[i]))
	}
	out := make([]string, width)
	for c := range out {
		v := sh.cell(r, c)
		if v == "" {
			v = mergedValue(sh, r, c)
		}
		if twoRows {
			below := sh.cell(r+1, c)
			if below != "" && below != v {
				v = strings.TrimSpace(v + " " + below)
			}
		}
		out[c] = header(v)
	}
	return out
}

func mergedValue(sh *sheet, r, c int) string {
	for _, m := range sh.merges {
		if r >= m.r0 && r <= m.r1 && c >= m.c0 && c <= m.c1 && (r != m.r0 || c != m.c0) {
			return sh.cell(m.r0, m.c0)
		}
	}
	return ""
}

type columns struct {
	unit, period, code, label, value int
	measures                         map[int]string
	measureCols                      []int // the keys of measures, left to right
	// ids are every column naming the unit (its code, its name), unit first; stt the
	// row-number columns, where a total's label or a section's numeral may sit too
	ids, stt []int
	// communes are the columns naming a commune, also in ids (see communeHeaders)
	communes []int
}

func findColumns(h []string) columns {
	cs := columns{unit: -1, period: -1, code: -1, label: -1, value: -1, measures: map[int]string{}}
	for c, v := range h {
		switch {
		case v == "":
		case communeHeaders[v]:
			if cs.unit < 0 {
				cs.unit = c
			}
			cs.ids = append(cs.ids, c)
			cs.communes = append(cs.communes, c)
		case unitHeaders[v]:
			if cs.unit < 0 {
				cs.unit = c
			}
			cs.ids = append(cs.ids, c)
		case sttHeaders[v]:
			cs.stt = append(cs.stt, c)
		case periodHeaders[v] && cs.period < 0:
			cs.period = c
		case codeHeaders[v] && cs.code < 0:
			cs.code = c
		case labelHeaders[v] && cs.label < 0:
			cs.label = c
		case valueHeaders[v] && cs.value < 0:
			cs.value = c
		default:
			if m, ok := measureOf(v); ok {
				cs.measures[c] = m
				cs.measureCols = append(cs.measureCols, c)
			}
		}
	}
	return cs
}

// headerZone is how many rows from the top may hold the title and the header.
const headerZone = 40

// parseSheet finds the header within the first rows and reads the table under it.
// ok is false when the sheet holds no recognisable table.
func parseSheet(sh *sheet, fileName string, reg *data.Registry, lang string) (*Parsed, []Problem, bool) {
	limit := min(len(sh.rows), headerZone)
	// a one-row header anywhere in the top rows wins over a two-row one
	for _, two := range []bool{false, true} {
		for r := 0; r < limit; r++ {
			h := headerRow(sh, r, two)
			cs := findColumns(h)
			start := r + 1
			if two {
				start = r + 2
			}
			if cs.unit >= 0 && len(cs.measures) > 0 {
				p, probs := parseWide(sh, cs, start, fileName, reg, lang)
				return p, probs, true
			}
			if cs.value >= 0 && (cs.code >= 0 || cs.label >= 0) {
				p, probs := parseTemplate(sh, cs, r, start, fileName, reg, lang)
				return p, probs, true
			}
		}
	}
	return nil, nil, false
}

var monthInText = regexp.MustCompile(`(?i)(th[áa]ng\s*\d{1,2}\s*(/|năm|nam)\s*\d{4}|\d{4}-\d{2}|\bT\d{1,2}/\d{4}|\b\d{1,2}/\d{4})`)

// monthFromTitle finds "Tháng 10/2026" in the title rows, or 2026-10 in the file name.
func monthFromTitle(sh *sheet, above int, fileName string) (data.Month, bool) {
	for r := 0; r < above && r < len(sh.rows); r++ {
		for c := range sh.rows[r] {
			if m := monthInText.FindString(sh.cell(r, c)); m != "" {
				if mo, err := data.ParseMonth(m); err == nil {
					return mo, true
				}
			}
		}
	}
	if m := monthInText.FindString(strings.ReplaceAll(filepath.Base(fileName), "_", " ")); m != "" {
		if mo, err := data.ParseMonth(m); err == nil {
			return mo, true
		}
	}
	return 0, false
}

// rowSums are the unit rows' values read so far, by measure column: since the top of
// the table and since the last total or section, to recognise a total row by its numbers.
type rowSums struct {
	all, span     map[int]int64
	nAll, nSpan   int
	sectionRow    int           // a section header row with numbers, 1-based, 0 if none
	sectionValues map[int]int64 // its values, checked against the unit rows under it
}

func (s *rowSums) add(vals map[int]int64) {
	for c, v := range vals {
		s.all[c] += v
		s.span[c] += v
	}
	s.nAll++
	s.nSpan++
}

// sums reports whether every value given is the sum of the unit rows above it, since
// the last total (a subtotal) or since the top (a grand total); min is how many unit
// rows the sum must cover.
func (s *rowSums) sums(vals map[int]int64, min int) bool {
	if len(vals) == 0 {
		return false
	}
	eq := func(sum map[int]int64, n int) bool {
		if n < min {
			return false
		}
		for c, v := range vals {
			if sum[c] != v {
				return false
			}
		}
		return true
	}
	return eq(s.span, s.nSpan) || eq(s.all, s.nAll)
}

// boundary closes a span (a total or a section starts): a section header that carried
// numbers must carry the sum of the unit rows under it. It returns that row when not.
func (s *rowSums) boundary() (badSection int) {
	if s.sectionRow > 0 {
		if len(s.sectionValues) > 0 && !s.sums(s.sectionValues, 1) {
			badSection = s.sectionRow
		}
		s.sectionRow, s.sectionValues = 0, nil
	}
	s.span, s.nSpan = map[int]int64{}, 0
	return badSection
}

// The kinds of row in a wide table.
const (
	otherRow   = iota // no unit identity: a note, a total by its numbers, or an error
	unitRow           // names a unit (by code or by name)
	totalRow          // a total or subtotal, by its label
	sectionRow        // "I. Các thành phố trực thuộc Trung ương"
)

// sectionLabel is a section header: a Roman numeral or a capital letter and a point
// ("I. Các thành phố trực thuộc Trung ương", "B - Bộ, ngành").
var sectionLabel = regexp.MustCompile(`^(?:[IVXLC]+|[A-Z])\s*[.):\-–]\s*\S`)

// sectionPrefix is the numbering of a section or a subtotal: "II. ", "B - ".
var sectionPrefix = regexp.MustCompile(`^\s*(?:[IVXLC]+|[A-Z])\s*[.):\-–]\s*`)

// sectionMark is the STT of a section header: I, II, A, B.
var sectionMark = regexp.MustCompile(`^(?:[IVXLC]+|[A-Z])[.)]?$`)

func parseWide(sh *sheet, cs columns, start int, fileName string, reg *data.Registry, lang string) (*Parsed, []Problem) {
	p := &Parsed{Layout: "wide"}
	var problems []Problem
	titleMonth, hasTitleMonth := monthFromTitle(sh, start, fileName)
	cols := map[string]int{}
	var codes []string
	for _, c := range cs.measureCols {
		code := cs.measures[c]
		cols[code] = c
		codes = append(codes, code)
	}
	slices.Sort(codes)
	tab := newTable(sh.name, codes, sh.rowsHint())
	tab.cols = cols
	p.tab = tab
	// a wide file names the same few units on every row: look each name up once
	units := map[string]data.Unit{}
	rowKinds := map[string]int{} // by the text of an identifying cell
	kindOf := func(text string) int {
		kind, known := rowKinds[text]
		if !known {
			if _, ok := reg.Find(text, reg.AnyMonth(text)); ok {
				kind = unitRow
			}
			switch {
			case kind == unitRow:
			case isTotalLabel(text):
				kind = totalRow
			case sectionLabel.MatchString(text):
				kind = sectionRow
			}
			rowKinds[text] = kind
		}
		return kind
	}
	sums := rowSums{all: map[int]int64{}, span: map[int]int64{}}
	sectionProblem := func(row int) Problem {
		return Problem{Sheet: sh.name, Cell: cellName(max(cs.unit, 0), row-1), Row: row, Field: "unit",
			Message: msg(lang, "Dòng tiêu đề mục có số liệu nhưng không bằng tổng các đơn vị bên dưới: hãy xóa số ở dòng này hoặc ghi mã đơn vị",
				"A section header carries numbers that are not the sum of the units under it: delete them or write the unit's code")}
	}
	closeSpan := func() {
		if bad := sums.boundary(); bad > 0 {
			problems = append(problems, sectionProblem(bad))
		}
	}
	var stop []Problem
	err := sh.each(start, func(r int, row []string) {
		if stop != nil || emptyRow(row) {
			return
		}
		// the row's identity: the first identifying cell with text (the code, else the
		// name), and whether any of them, the STT included, labels a total or a section
		unitCol, unitText, kind := cs.unit, "", otherRow
		for _, c := range cs.ids {
			t := at(row, c)
			if t == "" {
				continue
			}
			if unitText == "" {
				unitCol, unitText, kind = c, t, kindOf(t)
			}
		}
		communeText, communeCol, province := rowCommune(reg, cs, row)
		if communeText != "" {
			unitCol, unitText, kind = communeCol, communeText, unitRow
		}
		if kind != unitRow {
			for _, c := range append(cs.ids, cs.stt...) {
				switch t := at(row, c); {
				case t == "":
				case isTotalLabel(t):
					kind = totalRow
				case kind != totalRow && (sectionLabel.MatchString(t) || slices.Contains(cs.stt, c) && sectionMark.MatchString(t)):
					kind = sectionRow
				}
			}
		}
		if kind == totalRow {
			closeSpan()
			return // a total row: recognised by its label, not a unit
		}
		hasNumbers := false
		for c := range cs.measures {
			if v := at(row, c); v != "" && numberLike.MatchString(v) {
				hasNumbers = true
			}
		}
		if kind == sectionRow {
			closeSpan()
			if hasNumbers {
				// a subtotal above its units: checked when the section closes
				vals, ok := rowValues(row, cs)
				if !ok {
					problems = append(problems, sectionProblem(r+1))
					return
				}
				sums.sectionRow, sums.sectionValues = r+1, vals
			}
			return
		}
		if !hasNumbers && kind != unitRow {
			return // a note, a signature, a blank line of the form
		}
		var month data.Month
		if cs.period >= 0 {
			pt := at(row, cs.period)
			m, err := data.ParseMonth(pt)
			switch {
			case err == nil:
				month = m
			case pt == "" && hasTitleMonth:
				month = titleMonth
			case kind != unitRow && pt == "":
				// a row without a unit or a period: judged by its numbers below
			default:
				problems = append(problems, Problem{Sheet: sh.name, Cell: cellName(cs.period, r), Row: r + 1, Field: "period",
					Message: msg(lang, "%q không phải là kỳ báo cáo (viết 2026-10, 10/2026 hoặc Tháng 10/2026)", "%q is not a period (write 2026-10, 10/2026 or Tháng 10/2026)", pt)})
				return
			}
		} else if hasTitleMonth {
			month = titleMonth
		} else {
			problems = append(problems, Problem{Sheet: sh.name, Row: r + 1, Field: "period",
				Message: msg(lang, "Không có kỳ báo cáo: thêm cột Kỳ báo cáo, hoặc ghi Tháng 10/2026 ở tiêu đề", "No period: add a period column, or write the month in the title")})
			stop = problems
			return
		}
		if kind != unitRow {
			// no unit: a total whose label was left out if each number is the sum of the
			// unit rows above it; a row naming no known unit must sum more than one
			vals, ok := rowValues(row, cs)
			need := 1
			if unitText != "" {
				need = 2
			}
			if ok && sums.sums(vals, need) {
				closeSpan()
				return
			}
			pr := Problem{Sheet: sh.name, Cell: cellName(unitCol, r), Row: r + 1, Field: "unit"}
			if unitText == "" {
				pr.Message = msg(lang, "Dòng có số liệu nhưng không có mã hoặc tên đơn vị, và các số không phải là tổng các dòng bên trên: hãy ghi mã đơn vị, hoặc ghi \"Tổng cộng\" nếu là dòng tổng",
					"The row has numbers but no unit code or name, and they are not the sum of the rows above: write the unit's code, or \"Tổng cộng\" if it is a total")
			} else {
				pr.Message = unknownUnit(reg, unitText, month, lang)
			}
			problems = append(problems, pr)
			return
		}
		if communeText != "" {
			unitText = province + "|" + communeText // a name means one commune per province
		}
		u, ok := units[unitText]
		if communeText != "" && (!ok || !u.InForce(month)) {
			cu, problem := resolveCommune(reg, province, communeText, month, lang)
			if problem != "" {
				problems = append(problems, Problem{Sheet: sh.name, Cell: cellName(unitCol, r), Row: r + 1, Field: "unit", Message: problem})
				return
			}
			u, ok = cu, true
			units[unitText] = u
		}
		if !ok || !u.InForce(month) {
			u, ok = reg.Find(unitText, month)
			if ok {
				units[unitText] = u
			}
		}
		if !ok {
			problems = append(problems, Problem{Sheet: sh.name, Cell: cellName(unitCol, r), Row: r + 1, Field: "unit",
				Message: unknownUnit(reg, unitText, month, lang)})
			return
		}
		rep := tab.add(u.Code, month, r+1)
		vals := make(map[int]int64, len(cs.measures))
		// columns in order, so a row's problems are listed left to right, the same every time
		for _, c := range cs.measureCols {
			code := cs.measures[c]
			v, empty, err := parseCount(at(row, c), lang)
			if err != "" {
				problems = append(problems, Problem{Sheet: sh.name, Cell: cellName(c, r), Row: r + 1, Field: code, Message: MeasureName(code, lang) + ": " + err})
				continue // every bad cell of the row is reported
			}
			if !empty {
				rep.set(code, v)
				vals[c] = v
			}
		}
		sums.add(vals)
	})
	if err != nil {
		problems = append(problems, Problem{Sheet: sh.name, Message: msg(lang, "Không đọc được tệp: %v", "Cannot read the file: %v", err)})
		return nil, problems
	}
	if stop != nil {
		return nil, stop
	}
	closeSpan()
	return p, problems
}

// rowValues reads a row's measure cells as counts, the empty ones left out; ok is false
// when one is not a count.
func rowValues(row []string, cs columns) (map[int]int64, bool) {
	vals := map[int]int64{}
	for c := range cs.measures {
		v, empty, err := parseCount(at(row, c), "")
		if err != "" {
			return nil, false
		}
		if !empty {
			vals[c] = v
		}
	}
	return vals, true
}

// totalLabels begin a total or subtotal row; "cộng" and "tổng" alone only as the whole
// label or before ":" or "(", so that "Cộng hòa…" and "Tổng cục…" are not totals.
var (
	totalLabels = []string{"tong cong", "tong so", "toan tinh", "toan thanh pho", "toan quoc", "ca nuoc", "total", "grand total", "subtotal", "sub-total", "sub total", "cong khoi", "tong khoi", "cong nhom"}
	totalShort  = []string{"cong", "tong"}
)

// isTotalLabel recognises a total or subtotal by its label, with or without diacritics:
// Tổng cộng, Cộng, Tổng số, Toàn tỉnh, Cả nước, Total.
func isTotalLabel(text string) bool {
	h := header(text)
	if totalWords[h] {
		return true
	}
	// "II. Cộng", "Cộng (I+II)", "Tổng cộng toàn tỉnh"
	h = header(sectionPrefix.ReplaceAllString(text, ""))
	for _, w := range totalLabels {
		if h == w || strings.HasPrefix(h, w) && strings.ContainsRune(" :(-", rune(h[len(w)])) {
			return true
		}
	}
	for _, w := range totalShort {
		if rest := strings.TrimLeft(strings.TrimPrefix(h, w), " "); h == w || strings.HasPrefix(h, w) && rest != "" && strings.ContainsRune(":(", rune(rest[0])) {
			return true
		}
	}
	return false
}

func unknownUnit(reg *data.Registry, text string, m data.Month, lang string) string {
	for _, u := range reg.All() {
		if u.Group == data.Communes {
			continue // a commune never merged away; folding 3,321 names per bad row would be slow
		}
		if u.Code == text || data.Fold(u.NameVI) == data.Fold(text) {
			return msg(lang, "Đơn vị %q không còn tồn tại vào %s (đã hợp nhất vào %s)", "Unit %q did not exist in %s (it merged into %s)", text, m, reg.Current(u.Code))
		}
	}
	return msg(lang, "Mã đơn vị %q không tồn tại", "Unit %q does not exist", text)
}

// parseTemplate reads the report template: the unit and the period in the rows above
// the header, then one row per measure.
func parseTemplate(sh *sheet, cs columns, headerAt, start int, fileName string, reg *data.Registry, lang string) (*Parsed, []Problem) {
	var problems []Problem
	unitText, periodText := "", ""
	unitRef, periodRef := "", ""
	for r := 0; r < headerAt; r++ {
		for c := 0; c < len(sh.rows[r]); c++ {
			h := header(sh.cell(r, c))
			next := func() (string, string) {
				for k := c + 1; k < len(sh.rows[r]); k++ {
					if v := sh.cell(r, k); v != "" {
						return v, cellName(k, r)
					}
				}
				return "", ""
			}
			if unitHeaders[h] && unitText == "" {
				unitText, unitRef = next()
			}
			if periodHeaders[h] && periodText == "" {
				periodText, periodRef = next()
			}
		}
	}
	var month data.Month
	if periodText != "" {
		m, err := data.ParseMonth(periodText)
		if err != nil {
			return nil, []Problem{{Sheet: sh.name, Cell: periodRef, Field: "period", Message: msg(lang, "%q không phải là kỳ báo cáo (viết 2026-10, 10/2026 hoặc Tháng 10/2026)", "%q is not a period (write 2026-10, 10/2026 or Tháng 10/2026)", periodText)}}
		}
		month = m
	} else if m, ok := monthFromTitle(sh, headerAt, fileName); ok {
		month = m
	} else {
		return nil, []Problem{{Sheet: sh.name, Field: "period", Message: msg(lang, "Thiếu kỳ báo cáo: ghi vào ô bên cạnh nhãn Kỳ báo cáo", "The period is missing: write it beside the label Kỳ báo cáo")}}
	}
	if unitText == "" {
		return nil, []Problem{{Sheet: sh.name, Field: "unit", Message: msg(lang, "Thiếu mã đơn vị: ghi vào ô bên cạnh nhãn Mã đơn vị", "The unit is missing: write its code beside the label Mã đơn vị")}}
	}
	u, ok := reg.Find(unitText, month)
	if !ok {
		return nil, []Problem{{Sheet: sh.name, Cell: unitRef, Field: "unit", Message: unknownUnit(reg, unitText, month, lang)}}
	}
	all := make([]string, len(data.Measures))
	for i, m := range data.Measures {
		all[i] = m.Code
	}
	tab := newTable(sh.name, all, 1)
	tab.cells = map[string]string{}
	rep := tab.add(u.Code, month, start+1)
	seen := map[string]bool{}
	err := sh.each(start, func(r int, row []string) {
		if emptyRow(row) {
			return
		}
		var code string
		found := false
		if cs.code >= 0 {
			code, found = measureOf(header(at(row, cs.code)))
		}
		if !found && cs.label >= 0 {
			code, found = measureOf(header(at(row, cs.label)))
		}
		if !found {
			return // a note, a signature, a heading inside the table
		}
		ref := cellName(cs.value, r)
		if seen[code] {
			problems = append(problems, Problem{Sheet: sh.name, Cell: ref, Row: r + 1, Field: code, Message: msg(lang, "Chỉ tiêu “%s” xuất hiện hai lần", "The measure “%s” appears twice", MeasureName(code, lang))})
			return
		}
		seen[code] = true
		tab.cells[code] = ref
		v, empty, perr := parseCount(at(row, cs.value), lang)
		if perr != "" {
			problems = append(problems, Problem{Sheet: sh.name, Cell: ref, Row: r + 1, Field: code, Message: MeasureName(code, lang) + ": " + perr})
			return
		}
		if !empty {
			rep.set(code, v)
		}
	})
	if err != nil {
		return nil, append(problems, Problem{Sheet: sh.name, Message: msg(lang, "Không đọc được tệp: %v", "Cannot read the file: %v", err)})
	}
	return &Parsed{Layout: "template", tab: tab}, problems
}
