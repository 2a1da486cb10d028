package ingest

import (
	"path/filepath"
	"strconv"
	"strings"

	"github.com/egovkpi/egovkpi/data"
)

var (
	indexValueHeaders = map[string]string{
		"dti": "dti", "chi so dti": "dti", "diem dti": "dti", "chi so chuyen doi so": "dti", "dti score": "dti",
		"ict index": "ict", "chi so ict": "ict", "ict": "ict", "vietnam ict index": "ict", "chi so san sang ict": "ict",
		"tong diem": "", "diem": "", "score": "", "total": "", "total score": "", "chi so": "",
	}
	indexRankHeaders = set("xep hang", "hang", "rank", "thu hang")
	indexYearHeaders = set("nam", "year", "nam danh gia")
	indexSkip        = set("stt", "tt", "no", "#", "ma", "ma don vi", "ghi chu", "note")
)

// ParseIndex reads a yearly national index file (the provincial or ministerial DTI, the
// older ICT Index): a unit column, a score column headed with the index's name or a
// total, perhaps a rank and pillar scores. ok is false for any other file. Unit names are
// matched to codes as they were in that year, across the 2025 mergers.
func ParseIndex(name string, content []byte, reg *data.Registry, lang string) (imps []data.IndexImport, problems []Problem, ok bool) {
	sh, done := firstSheet(content)
	defer done()
	if sh == nil {
		return nil, nil, false
	}
	indexName := ""
	fileLower := data.Fold(filepath.Base(name))
	switch {
	case strings.Contains(fileLower, "dti") || strings.Contains(fileLower, "chuyen doi so"):
		indexName = "dti"
	case strings.Contains(fileLower, "ict"):
		indexName = "ict"
	}
	headerAt, unitCol, valueCol, rankCol, yearCol := -1, -1, -1, -1, -1
	pillars := map[int]string{}
	for r := 0; r < min(len(sh.rows), headerZone) && headerAt < 0; r++ {
		h := headerRow(sh, r, false)
		u, v, rk, yr := -1, -1, -1, -1
		pl := map[int]string{}
		measures := 0
		for c, x := range h {
			switch {
			case x == "":
			case unitHeaders[x] && u < 0:
				u = c
			case indexRankHeaders[x] && rk < 0:
				rk = c
			case indexYearHeaders[x] && yr < 0:
				yr = c
			default:
				if n, isIndex := indexValueHeaders[x]; isIndex && v < 0 {
					v = c
					if n != "" {
						indexName = n
					}
				} else if _, isMeasure := measureOf(x); isMeasure {
					measures++
				} else if !indexSkip[x] && !periodHeaders[x] {
					pl[c] = strings.TrimSpace(sh.cell(r, c))
				}
			}
		}
		if u >= 0 && v >= 0 && measures == 0 {
			headerAt, unitCol, valueCol, rankCol, yearCol, pillars = r, u, v, rk, yr, pl
		}
	}
	if headerAt < 0 || indexName == "" {
		return nil, nil, false
	}
	fileYear := 0
	if m := yearInName.FindString(filepath.Base(name)); m != "" {
		fileYear, _ = strconv.Atoi(m)
	} else {
		for r := 0; r < headerAt; r++ {
			for c := range sh.rows[r] {
				if m := yearInName.FindString(sh.cell(r, c)); m != "" && fileYear == 0 {
					fileYear, _ = strconv.Atoi(m)
				}
			}
		}
	}
	byYear := map[int]*data.IndexImport{}
	var order []int
	err := sh.each(headerAt+1, func(r int, row []string) {
		if emptyRow(row) {
			return
		}
		unitText := at(row, unitCol)
		if unitText == "" || totalWords[header(unitText)] {
			return
		}
		place := Problem{Sheet: sh.name, Row: r + 1}
		year := fileYear
		if y := at(row, yearCol); yearCol >= 0 && y != "" {
			f, err := strconv.ParseFloat(y, 64)
			if err != nil {
				p := place
				p.Field, p.Message = "year", msg(lang, "%q không phải là năm", "%q is not a year", y)
				problems = append(problems, p)
				return
			}
			year = int(f)
		}
		if year == 0 {
			p := place
			p.Field, p.Message = "year", msg(lang, "Không rõ năm đánh giá: thêm cột Năm, hoặc ghi năm vào tiêu đề hoặc tên tệp", "No year: add a year column, or put the year in the title or the file name")
			problems = append(problems, p)
			return
		}
		// names as they were that year: the end of the year, or its start for 2025
		u, ok := reg.Find(unitText, data.NewMonth(year, 12))
		if !ok {
			u, ok = reg.Find(unitText, data.NewMonth(year, 1))
		}
		if !ok {
			p := place
			p.Field, p.Message = "unit", unknownUnit(reg, unitText, data.NewMonth(year, 12), lang)
			problems = append(problems, p)
			return
		}
		val, err := parseScore(at(row, valueCol))
		if err != nil {
			p := place
			p.Cell, p.Field, p.Message = cellName(valueCol, r), "value", msg(lang, "%q không phải là điểm", "%q is not a score", at(row, valueCol))
			problems = append(problems, p)
			return
		}
		v := data.IndexValue{Unit: u.Code, Value: val, Pillars: map[string]float64{}}
		if rankCol >= 0 {
			if x, err := strconv.ParseFloat(at(row, rankCol), 64); err == nil && x >= 1 {
				n := int(x)
				v.Rank = &n
			}
		}
		for c, pname := range pillars {
			if x, err := parseScore(at(row, c)); err == nil {
				v.Pillars[pname] = x
			}
		}
		imp := byYear[year]
		if imp == nil {
			imp = &data.IndexImport{Name: indexName, Year: year, File: filepath.Base(name)}
			byYear[year] = imp
			order = append(order, year)
		}
		imp.Values = append(imp.Values, v)
	})
	if err != nil {
		problems = append(problems, Problem{Message: err.Error()})
	}
	for _, y := range order {
		imps = append(imps, *byYear[y])
	}
	return imps, problems, true
}

// parseScore reads 0,6543 or 0.6543 or 612,5 (a score, not a count).
func parseScore(s string) (float64, error) {
	s = strings.TrimSpace(s)
	if strings.Count(s, ",") == 1 && !strings.Contains(s, ".") {
		s = strings.Replace(s, ",", ".", 1)
	}
	return strconv.ParseFloat(s, 64)
}
