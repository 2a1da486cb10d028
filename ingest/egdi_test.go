package ingest

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// analystCopy is the 2018 survey as analysts pass it around (issue 20 #3): no codes,
// columns renamed, names padded or qualified in brackets, a column of regions made by hand.
func analystCopy(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "egdi", "egdi-2018.csv"))
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(strings.NewReader(string(b))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]string{
		"Viet Nam": "Viet Nam  ", "Bolivia": "Bolivia (Plurinational State of)", "Republic of Korea": "Korea (Republic of)",
		"Republic of Moldova": "Moldova, Republic of", "United Republic of Tanzania": "Tanzania, United Republic of",
		"Venezuela": "Venezuela, Bolivarian Republic of", "Georgia (Country)": "Georgia ", "Czech Republic": "Czechia",
		"Democratic People's Republic of Korea": "Korea (Democratic People's Republic of)", "Congo": "Congo (Republic of the)",
	}
	var out strings.Builder
	w := csv.NewWriter(&out)
	if err := w.Write([]string{"Rank", "Country", "E_Index", "OSI_score", "Human Capital", "Telecom_Infrastructure", "EPART", "Region"}); err != nil {
		t.Fatal(err)
	}
	for _, r := range recs[1:] { // country-code,country-name,e-gov-rank,e-gov-index,e-pat-index,osi,hci,tii
		name := r[1]
		if n, ok := names[name]; ok {
			name = n
		} else {
			name += " "
		}
		if err := w.Write([]string{r[2], name, r[3], r[5], r[6], r[7], r[4], "Châu Á?"}); err != nil {
			t.Fatal(err)
		}
	}
	w.Flush()
	return []byte(out.String())
}

// TestSurveyRecognisedByContent: the survey is recognised by its columns, loosely named,
// whoever made the file; its countries matched to ISO codes however they are written;
// what was read as what said for the receipt (issue 20 #3, and the UN's own CSV).
func TestSurveyRecognisedByContent(t *testing.T) {
	un, err := os.ReadFile(filepath.Join("..", "testdata", "egdi", "un-egov-data-sample-2022-2024.csv"))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name    string
		content []byte
		years   string // year: countries
		columns string // field=header, in the survey's order
		notes   string
		names   map[string]string // ISO3 → the name kept
	}{
		{"un-egov-data.csv", un, "2022:13 2024:14",
			"year=Survey Year code= name=Country Name rank=E-Government Rank egdi=E-Government Index osi=Online Service Index hci=Human Capital Index tii=Telecommunication Infrastructure Index epi=E-Participation Index",
			"Thứ hạng công bố được giữ nguyên",
			map[string]string{"TUR": "Türkiye", "MKD": "North Macedonia", "VNM": "Viet Nam", "NLD": "Netherlands (Kingdom of the)"}},
		{"egdi-2018-ban-sao.csv", analystCopy(t), "2018:193",
			"name=Country rank=Rank egdi=E_Index osi=OSI_score hci=Human Capital tii=Telecom_Infrastructure epi=EPART",
			`Cột "Region" của tệp không được dùng: khu vực lấy theo phân loại M49`,
			map[string]string{"VNM": "Viet Nam", "BOL": "Bolivia (Plurinational State of)", "KOR": "Korea (Republic of)", "PRK": "Korea (Democratic People's Republic of)", "COG": "Congo (Republic of the)", "MKD": "The former Yugoslav Republic of Macedonia"}},
		{"egdi-2018.csv", mustRead(t, "egdi-2018.csv"), "2018:193",
			"code=country-code name=country-name rank=e-gov-rank egdi=e-gov-index osi=osi hci=hci tii=tii epi=e-pat-index", "Thứ hạng công bố được giữ nguyên", nil},
		{"parts only, abbreviated, in other cases; no index", []byte("COUNTRY NAME;os;HC;TI\nViet Nam;0,7833;0,7178;0,7907\n"), "2024:1",
			"name=COUNTRY NAME osi=os hci=HC tii=TI", "", nil},
		{"a country and a rank", []byte("Quốc gia,Xếp hạng\nViệt Nam,71\n"), "2024:1", "name=Quốc gia rank=Xếp hạng", "thứ hạng tính lại từ các chỉ số thành phần hiển thị bên cạnh", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			name := c.name
			if !strings.Contains(name, "20") {
				name = "survey-2024.csv"
			}
			imps, probs, ok := ParseEGDI(name, c.content, "vi")
			if !ok || len(probs) > 0 {
				t.Fatalf("recognised %v, problems %v", ok, probs)
			}
			var years []string
			for _, imp := range imps {
				years = append(years, fmt.Sprintf("%d:%d", imp.Year, len(imp.Rows)))
			}
			if strings.Join(years, " ") != c.years {
				t.Errorf("years %v, want %s", years, c.years)
			}
			m := surveyMatch(imps[0])
			var cols []string
			for _, col := range m.Columns {
				cols = append(cols, col.Field+"="+col.Header)
			}
			if want := strings.ReplaceAll(c.columns, " code= ", " "); strings.Join(cols, " ") != want {
				t.Errorf("columns %q\nwant    %q", strings.Join(cols, " "), want)
			}
			if notes := strings.Join(m.Notes, "\n"); c.notes != "" && !strings.Contains(notes, c.notes) || c.notes == "" && notes != "" {
				t.Errorf("notes %q, want %q", notes, c.notes)
			}
			kept := map[string]string{}
			for _, imp := range imps {
				for _, r := range imp.Rows {
					kept[r.ISO3] = r.Name
				}
			}
			for iso, n := range c.names {
				if kept[iso] != n {
					t.Errorf("%s kept as %q, want %q", iso, kept[iso], n)
				}
			}
		})
	}
	for _, c := range []struct{ name, content string }{
		{"a province table with a name and a rank", "Name,Rank\nHà Nội,1\n"},
		{"a monthly report", "Mã đơn vị,Kỳ báo cáo,Số hồ sơ tiếp nhận\n01,2026-10,5\n"},
		{"a country without a figure", "Country,Capital\nViet Nam,Ha Noi\n"},
	} {
		if _, _, ok := ParseEGDI("x-2024.csv", []byte(c.content), "vi"); ok {
			t.Errorf("%s: recognised as the survey", c.name)
		}
	}
	// in English, the region column is named too
	imps, _, _ := ParseEGDI("egdi-2018.csv", analystCopy(t), "en")
	if m := surveyMatch(imps[0]); !strings.Contains(strings.Join(m.Notes, " "), `The file's column "Region" is not read: regions come from the UN's M49 classification`) {
		t.Errorf("English notes: %v", m.Notes)
	}
}

func TestEGDIField(t *testing.T) {
	for h, want := range map[string]string{
		"E_Index": "egdi", "E-Government Index": "egdi", "E-Government Development Index": "egdi", "e-gov-index": "egdi", "EGDI": "egdi", "egdi value": "egdi",
		"E-Government Rank": "rank", "EGDI Rank": "rank", "e-gov-rank": "rank", "Ranking": "rank", "E-Participation Rank": "",
		"Online Service Index": "osi", "OSI_score": "osi", "Online  services": "osi",
		"Human Capital Index": "hci", "HC": "hci", "Telecommunication Infrastructure Index": "tii", "Telecom_Infrastructure": "tii", "TII ": "tii",
		"E-Participation Index": "epi", "e-pat-index": "epi", "EPART": "epi",
		"Country Name": "name", "country-name": "name", "Country ": "name", "ISO3": "code", "country-code": "code",
		"Survey Year": "year", "Region": "region", "Sub-region": "region", "Population": "",
	} {
		if got := egdiField(h); got != want {
			t.Errorf("egdiField(%q) = %q, want %q", h, got, want)
		}
	}
}

func mustRead(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "egdi", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}
