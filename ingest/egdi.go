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

var egdiHeaders = map[string][]string{
	"code": {"country-code", "country code", "iso", "iso3", "iso code", "iso-3", "code"},
	"name": {"country-name", "country name", "country", "country/territory", "name", "quoc gia"},
	"rank": {"e-gov-rank", "egdi rank", "e-government rank", "rank", "e-government development index rank", "xep hang"},
	"egdi": {"e-gov-index", "egdi", "e-government development index", "e-government index", "e-gov index"},
	"osi":  {"osi", "online service index", "online services index", "online service component"},
	"hci":  {"hci", "human capital index", "human capital component"},
	"tii":  {"tii", "telecommunication infrastructure index", "telecommunications infrastructure index", "telecommunication infrastructure component"},
	"epi":  {"e-pat-index", "epi", "e-participation index", "e-participation"},
	"year": {"year", "survey year", "survey", "nam"},
}

var yearInName = regexp.MustCompile(`(19|20)\d{2}`)

// ParseEGDI reads a UN E-Government Survey file (CSV or XLSX), recognised by its
// headers: country code and/or name, EGDI or its components. ok is false for any other
// file. A file may hold several survey years (a year column); a year given only in the
// file name is taken from there.
func ParseEGDI(name string, content []byte, lang string) (imps []data.EGDIImport, problems []Problem, ok bool) {
	defer func() {
		if r := recover(); r != nil {
			imps, problems, ok = nil, []Problem{{Message: msg(lang, "Không đọc được tệp %s", "Cannot read %s", name)}}, true
		}
	}()
	sh, done := firstSheet(content)
	defer done()
	if sh == nil {
		return nil, nil, false
	}
	// the header: the first row naming a country column and the index or its parts
	headerAt, col := -1, map[string]int{}
	for r := 0; r < min(len(sh.rows), 10) && headerAt < 0; r++ {
		found := map[string]int{}
		for c, v := range sh.rows[r] {
			h := header(v)
			for field, names := range egdiHeaders {
				for _, n := range names {
					if h == n {
						if _, dup := found[field]; !dup {
							found[field] = c
						}
					}
				}
			}
		}
		_, code := found["code"]
		_, cname := found["name"]
		_, egdi := found["egdi"]
		_, osi := found["osi"]
		if (code || cname) && (egdi || osi) {
			headerAt, col = r, found
		}
	}
	if headerAt < 0 {
		return nil, nil, false
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
		code, cname := get(row, "code"), strings.TrimSpace(get(row, "name"))
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
			imp = &data.EGDIImport{Year: year, File: filepath.Base(name)}
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
