package ingest

import (
	"math"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/egovkpi/egovkpi/data"
)

// egdiField recognises a survey column by its header, loosely, as analysts rename them:
// case, diacritics, underscores, hyphens and spacing aside, "Index", "score" or
// "component" left out, and the abbreviations (E_Index, EGOV, OSI, HC, TII, EPART):
// "E-Government Development Index", "e-gov-index", "E_Index" and "egdi" are one column.
// It is "" for a column the survey does not have, "region" for one it ignores.
func egdiField(raw string) string {
	words := strings.Fields(strings.Map(func(r rune) rune {
		if strings.ContainsRune("_-./()[]:", r) {
			return ' '
		}
		return r
	}, header(raw)))
	var kept []string
	for _, w := range words {
		switch w {
		case "index", "idx", "score", "value", "values", "component", "subindex", "sub", "(egdi)":
		default:
			kept = append(kept, w)
		}
	}
	k := strings.Join(kept, " ")
	k = strings.NewReplacer("e government", "egov", "e gov", "egov", "egovernment", "egov", "e govt", "egov",
		"e participation", "epart", "e part", "epart", "e pat", "epart", "eparticipation", "epart").Replace(k)
	switch k {
	case "country code", "iso", "iso3", "iso code", "iso 3", "iso alpha3", "iso alpha 3", "iso3 code", "alpha3", "alpha 3", "code", "ma quoc gia":
		return "code"
	case "country name", "country", "country territory", "country or area", "member state", "economy", "name", "quoc gia", "ten quoc gia":
		return "name"
	case "year", "survey year", "survey", "edition", "nam", "nam khao sat":
		return "year"
	case "egdi", "egov", "egov development", "e", "egdi egov", "egov dev", "egd":
		return "egdi"
	case "osi", "online service", "online services", "os", "online":
		return "osi"
	case "hci", "human capital", "hc":
		return "hci"
	case "tii", "telecommunication infrastructure", "telecommunications infrastructure", "telecom infrastructure", "telecom", "ti", "infrastructure":
		return "tii"
	case "epi", "epart", "ep", "epart egov":
		return "epi"
	case "region", "regions", "sub region", "subregion", "continent", "un region", "area", "khu vuc", "vung", "region name":
		return "region"
	}
	for _, w := range kept {
		if w == "rank" || w == "ranking" || w == "xep" {
			// the survey's rank, not the rank of a part (an e-participation rank)
			if strings.Contains(k, "epart") || strings.Contains(k, "osi") || strings.Contains(k, "online") || strings.Contains(k, "epi") {
				return ""
			}
			return "rank"
		}
	}
	return ""
}

// egdiFieldNames are the survey's columns, in the order a receipt lists them.
var egdiFieldNames = []string{"year", "code", "name", "rank", "egdi", "osi", "hci", "tii", "epi"}

var yearInName = regexp.MustCompile(`(19|20)\d{2}`)

// ParseEGDI reads a UN E-Government Survey file (CSV, XLSX or ODS), recognised by its
// content: a country column (code or name) and the index, one of its parts or a rank
// column, whose headers match loosely (see egdiField) — the UN's own CSV ("Survey Year,
// Country Name, E-Government Rank, E-Government Index, …"), the UNU-EGOV datasets, an
// analyst's copy with renamed columns. ok is false for any other file. A file may hold
// several survey years (a year column); a year given only in the file name is taken
// from there. The file's own regions are not read: regions come from M49. What was read
// as what is on each import (Matched, Notes) for the receipt.
func ParseEGDI(name string, content []byte, lang string) (imps []data.EGDIImport, problems []Problem, ok bool) {
	sh, done := firstSheet(content)
	defer done()
	if sh == nil {
		return nil, nil, false
	}
	// the header: the first row naming a country column and the index, a part or a rank
	headerAt, col := -1, map[string]int{}
	var ignored []string
	for r := 0; r < min(len(sh.rows), 10) && headerAt < 0; r++ {
		found := map[string]int{}
		var regions []string
		parts := 0
		for c, v := range sh.rows[r] {
			f := egdiField(v)
			switch {
			case f == "region":
				regions = append(regions, strings.TrimSpace(v))
			case f == "":
			default:
				if _, dup := found[f]; !dup {
					found[f] = c
					if f == "osi" || f == "hci" || f == "tii" || f == "epi" {
						parts++
					}
				}
			}
		}
		_, code := found["code"]
		cname, named := found["name"]
		_, egdi := found["egdi"]
		_, rank := found["rank"]
		// a bare "Name" is a country only beside the index or its parts: a table of
		// provinces may have a name and a rank
		countryCol := code || named && header(sh.rows[r][cname]) != "name"
		if (code || named) && (egdi || parts > 0) || countryCol && rank {
			headerAt, col, ignored = r, found, regions
		}
	}
	if headerAt < 0 {
		return nil, nil, false
	}
	matched := map[string]string{}
	for f, c := range col {
		matched[f] = strings.Join(strings.Fields(sh.rows[headerAt][c]), " ")
	}
	var notes []string
	for _, h := range ignored {
		notes = append(notes, msg(lang, "Cột %q của tệp không được dùng: khu vực lấy theo phân loại M49 của Liên hợp quốc",
			"The file's column %q is not read: regions come from the UN's M49 classification", h))
	}
	if _, ok := col["rank"]; ok {
		notes = append(notes, msg(lang, "Thứ hạng công bố được giữ nguyên; thứ hạng tính lại từ các chỉ số thành phần hiển thị bên cạnh, chỗ khác nhau được đánh dấu",
			"The published ranks are kept; ranks computed from the components are shown beside them, differences marked"))
	}
	fileYear := 0
	if m := yearInName.FindString(filepath.Base(name)); m != "" {
		fileYear, _ = strconv.Atoi(m)
	}
	get := func(row []string, field string) string {
		c, ok := col[field]
		if !ok {
			return ""
		}
		return at(row, c)
	}
	countries := data.UNCountries()
	byYear := map[int]*data.EGDIImport{}
	decimals := map[int]int{}
	err := sh.each(headerAt+1, func(r int, row []string) {
		if emptyRow(row) {
			return
		}
		place := Problem{Sheet: sh.name, Row: r + 1}
		year := fileYear
		if y := get(row, "year"); y != "" {
			f, err := strconv.ParseFloat(y, 64)
			if err != nil || f < 2001 || f > 2100 {
				p := place
				p.Field, p.Message = "year", msg(lang, "%q không phải là năm khảo sát", "%q is not a survey year", y)
				problems = append(problems, p)
				return
			}
			year = int(f)
		}
		if year == 0 {
			p := place
			p.Field, p.Message = "year", msg(lang, "Không rõ năm khảo sát: thêm cột Year hoặc ghi năm vào tên tệp (egdi-2018.csv)", "No survey year: add a year column or put the year in the file name (egdi-2018.csv)")
			problems = append(problems, p)
			return
		}
		// names as published, their padding aside ("Viet Nam ", double spaces)
		code, cname := get(row, "code"), strings.Join(strings.Fields(get(row, "name")), " ")
		ct, ok := countries.Match(code, cname)
		if !ok {
			p := place
			p.Field, p.Message = "country", msg(lang, "Quốc gia %q (%s) không khớp với nước thành viên Liên hợp quốc nào", "Country %q (%s) matches no UN member state", cname, code)
			problems = append(problems, p)
			return
		}
		e := data.EGDIRow{ISO3: ct.ISO3, Name: cname}
		for _, f := range []struct {
			field string
			dst   **float64
		}{{"egdi", &e.EGDI}, {"osi", &e.OSI}, {"hci", &e.HCI}, {"tii", &e.TII}, {"epi", &e.EPI}} {
			v := get(row, f.field)
			if v == "" {
				continue
			}
			x, err := strconv.ParseFloat(strings.ReplaceAll(v, ",", "."), 64)
			if err != nil || x < 0 || x > 1 {
				p := place
				p.Field, p.Message = f.field, msg(lang, "%q không phải là chỉ số từ 0 đến 1", "%q is not an index between 0 and 1", v)
				problems = append(problems, p)
				continue
			}
			*f.dst = &x
			if f.field == "egdi" && x > 0 {
				decimals[year] = max(decimals[year], places(x))
			}
		}
		if v := get(row, "rank"); v != "" {
			x, err := strconv.ParseFloat(v, 64)
			if err != nil || x < 1 || x != math.Trunc(x) {
				p := place
				p.Field, p.Message = "rank", msg(lang, "%q không phải là thứ hạng", "%q is not a rank", v)
				problems = append(problems, p)
			} else {
				n := int(x)
				e.Rank = &n
			}
		}
		imp := byYear[year]
		if imp == nil {
			imp = &data.EGDIImport{Year: year, File: filepath.Base(name), Matched: matched, Notes: notes}
			byYear[year] = imp
		}
		imp.Rows = append(imp.Rows, e)
	})
	if err != nil {
		problems = append(problems, Problem{Message: err.Error()})
	}
	years := make([]int, 0, len(byYear))
	for y := range byYear {
		years = append(years, y)
	}
	sort.Ints(years)
	for _, y := range years {
		imp := byYear[y]
		seen := map[string]int{}
		for i, r := range imp.Rows {
			if j, dup := seen[r.ISO3]; dup {
				problems = append(problems, Problem{Field: "country", Message: msg(lang, "%s xuất hiện hai lần trong năm %d (%s, %s)", "%s appears twice in %d (%s, %s)", r.ISO3, y, imp.Rows[j].Name, r.Name)})
			}
			seen[r.ISO3] = i
		}
		imp.Precision = max(decimals[y], 4)
		imps = append(imps, *imp)
	}
	return imps, problems, true
}

// places is how many decimals a published value has, float noise (0.6955600000000001)
// aside.
func places(x float64) int {
	for d := 0; d <= 6; d++ {
		p := math.Pow(10, float64(d))
		if math.Abs(math.Round(x*p)/p-x) < 1e-9 {
			return d
		}
	}
	return 6
}

// SurveyMatch is how a survey file was recognised, for its receipt: which of its columns
// was read as what, and what the reader should know (its own regions not read, the
// published ranks kept).
type SurveyMatch struct {
	Columns []SurveyColumn `json:"columns"`
	Notes   []string       `json:"notes,omitempty"`
}

// SurveyColumn is one column read: the field (year, code, name, rank, egdi, osi, hci,
// tii, epi) and the file's header for it.
type SurveyColumn struct {
	Field  string `json:"field"`
	Header string `json:"header"`
}

// surveyMatch describes an import's columns in the survey's order; nil for an import
// that was not read from a file's columns.
func surveyMatch(imp data.EGDIImport) *SurveyMatch {
	if len(imp.Matched) == 0 {
		return nil
	}
	m := &SurveyMatch{Notes: imp.Notes}
	for _, f := range egdiFieldNames {
		if h, ok := imp.Matched[f]; ok {
			m.Columns = append(m.Columns, SurveyColumn{Field: f, Header: h})
		}
	}
	return m
}
