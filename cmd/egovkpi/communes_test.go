package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/egovkpi/egovkpi/data"
)

// addOfficer makes an officer of unit through the API and keeps its token.
func addOfficer(t *testing.T, s *server, name, unit string) {
	t.Helper()
	for _, c := range []struct{ path, body string }{
		{"/api/v1/users", fmt.Sprintf(`{"username":%q,"password":%q,"role":"officer","unit_code":%q}`, name, testPassword, unit)},
		{"/api/v1/tokens", fmt.Sprintf(`{"username":%q,"name":"test"}`, name)},
	} {
		code, b := s.do(t, "POST", c.path, "admin1", strings.NewReader(c.body), "Content-Type", "application/json")
		var tk struct{ Token string }
		if code != 201 || json.Unmarshal(b, &tk) != nil {
			t.Fatalf("%s: %d %s", c.path, code, b)
		}
		if tk.Token != "" {
			s.tok[name] = tk.Token
		}
	}
}

func TestCommunesUnitsAndRoles(t *testing.T) {
	s := startServer(t, false)
	addOfficer(t, s, "officer00004", "00004")
	m := data.NewMonth(2026, 10)
	hcm := data.Reference().Communes("79", m)[0].Code
	t.Run("units", func(t *testing.T) {
		for _, c := range []struct {
			q      string
			status int
			want   int
		}{
			{"group=communes&province=01&at=2026-10", 200, 126},
			{"group=communes&province=79&at=2026-10", 200, 168},
			{"group=communes&at=2026-10", 200, 3321},
			{"group=communes&at=2025-06", 200, 0},
			{"group=provinces&at=2026-10", 200, 34},
			{"group=communes&province=99&at=2026-10", 404, 0},
			{"group=provinces&province=01&at=2026-10", 400, 0},
		} {
			var u struct {
				Units []struct{ Code, Parent, Group string }
			}
			s.getJSON(t, "/api/v1/units?"+c.q, c.status, &u)
			if len(u.Units) != c.want {
				t.Errorf("units?%s: %d, want %d", c.q, len(u.Units), c.want)
			}
			if strings.Contains(c.q, "province=01") && c.status == 200 && (u.Units[0].Parent != "01" || u.Units[0].Group != "communes" || len(u.Units[0].Code) != 5) {
				t.Errorf("first unit of 01 = %+v", u.Units[0])
			}
		}
	})
	t.Run("uploads", func(t *testing.T) {
		for _, c := range []struct {
			user, unit string
			want       int
		}{
			{"officer01", "00004", 201}, // a commune of its province
			{"officer01", hcm, 403},     // another province's commune
			{"officer79", "00004", 403},
			{"officer00004", "00004", 201}, // its own commune
			{"officer00004", "00008", 403}, // a neighbouring commune
			{"officer00004", "01", 403},    // its province
			{"committee1", hcm, 201},
			{"analyst1", "00004", 403},
		} {
			t.Run(c.user+" "+c.unit, func(t *testing.T) {
				csv := fmt.Sprintf("Mã đơn vị,Kỳ báo cáo,Số hồ sơ tiếp nhận\n%s,2026-09,%d\n", c.unit, len(c.user))
				if code, r := s.upload(t, c.user, "", "x.csv", []byte(csv)); code != c.want {
					t.Errorf("status %d, want %d: %v", code, c.want, r)
				}
			})
		}
		// the commune officer reads its own commune's reports
		var subs struct{ Submissions []data.Submission }
		getJSONAs(t, s, "/api/v1/submissions?unit=00004&period=2026-09", "officer00004", 200, &subs)
		if len(subs.Submissions) == 0 {
			t.Error("officer00004 sees no report of 00004")
		}
	})
	t.Run("rankings and the province's page", func(t *testing.T) {
		csv := "Mã đơn vị,Kỳ báo cáo,Số hồ sơ tiếp nhận,Số hồ sơ tiếp nhận trực tuyến\n00004,2026-09,100,40\n00008,2026-09,100,90\n" + hcm + ",2026-09,10,10\n"
		if code, r := s.upload(t, "committee1", "", "communes.csv", []byte(csv)); code != 201 {
			t.Fatalf("upload: %d %v", code, r)
		}
		for _, c := range []struct {
			q           string
			rows        int
			first, last string
		}{
			{"group=communes&province=01", 126, "00008", ""},
			{"group=communes&province=01&type=phuong", 51, "00008", ""},
			{"group=communes", 3321, hcm, ""},
		} {
			var r struct {
				Rows []struct {
					UnitCode   string `json:"unit_code"`
					UnitParent string `json:"unit_parent"`
				}
			}
			s.getJSON(t, "/api/v1/rankings?indicator=online_dossier_rate&period=2026-09&"+c.q, 200, &r)
			if len(r.Rows) != c.rows || r.Rows[0].UnitCode != c.first {
				t.Errorf("%s: %d rows, first %+v; want %d, %s", c.q, len(r.Rows), r.Rows[0], c.rows, c.first)
			}
		}
		var e struct{ Error struct{ Code string } }
		s.getJSON(t, "/api/v1/rankings?indicator=online_dossier_rate&period=2026-09&group=provinces&province=01", 400, &e)
		code, page := s.do(t, "GET", "/units/01?indicator=online_dossier_rate&lang=en", "analyst1", nil)
		body := string(page)
		if code != 200 || !strings.Contains(body, `id="communes-table"`) || strings.Count(body, "<meter") != 2 {
			t.Fatalf("page of 01: %d, communes table %v, %d bars", code, strings.Contains(body, `id="communes-table"`), strings.Count(body, "<meter"))
		}
		for _, want := range []string{"No commune outlines are available offline", "Ba Dinh Ward", "2 / 126", "does not yet expect"} {
			if !strings.Contains(body, want) && !strings.Contains(body, strings.ReplaceAll(want, " ", "")) {
				t.Errorf("page of 01 lacks %q", want)
			}
		}
	})
	t.Run("other views of the communes group answer", func(t *testing.T) {
		for _, path := range []string{"/?group=communes&period=2026-09", "/completeness?group=communes&period=2026-09",
			"/api/v1/composite?group=communes&period=2026-09", "/api/v1/completeness?group=communes&period=2026-09",
			"/api/v1/units/00004/series?indicator=online_dossier_rate&from=2026-01", "/units/00004"} {
			if code, b := s.do(t, "GET", path, "analyst1", nil); code != 200 {
				t.Errorf("%s: %d %.300s", path, code, b)
			}
		}
	})
	t.Run("agencies", func(t *testing.T) {
		for _, c := range []struct {
			user, province, body string
			want                 int
		}{
			{"officer01", "01", `{"code":"SNV","name_vi":"Sở Nội vụ"}`, 201},
			{"officer01", "01", `{"code":"snv","name_vi":"Sở Nội vụ"}`, 409},
			{"admin1", "79", `{"code":"SNV","name_vi":"Sở Nội vụ"}`, 201},
			{"officer01", "79", `{"code":"SYT","name_vi":"Sở Y tế"}`, 403},
			{"officer00004", "01", `{"code":"SYT","name_vi":"Sở Y tế"}`, 403},
			{"committee1", "01", `{"code":"SYT","name_vi":"Sở Y tế"}`, 403},
			{"admin1", "99", `{"code":"SYT","name_vi":"Sở Y tế"}`, 404},
			{"admin1", "01", `{"code":"S-YT","name_vi":"Sở Y tế"}`, 400},
		} {
			t.Run(c.user+" "+c.province+" "+c.body, func(t *testing.T) {
				code, b := s.do(t, "POST", "/api/v1/units/"+c.province+"/agencies", c.user, strings.NewReader(c.body), "Content-Type", "application/json")
				if code != c.want {
					t.Errorf("status %d, want %d: %s", code, c.want, b)
				}
			})
		}
		var got struct{ Agencies []data.Agency }
		getJSONAs(t, s, "/api/v1/units/01/agencies", "analyst1", 200, &got)
		if len(got.Agencies) != 1 || got.Agencies[0].Code != "01-SNV" || got.Agencies[0].CreatedBy != "officer01" {
			t.Errorf("agencies of 01 = %+v", got.Agencies)
		}
	})
}
