package ingest

import (
	"strings"
	"testing"

	"github.com/egovkpi/egovkpi/data"
)

// Monthly spreadsheets with a commune per row: a 5-digit code, a code that lost its
// leading zeros, or a name within the row's province.
func TestCommuneRows(t *testing.T) {
	cases := []struct {
		name    string
		csv     string
		want    []string // unit codes of the reports, in order
		problem string   // a problem's text, when the row is refused
	}{
		{"5-digit code", "Mã đơn vị,Kỳ báo cáo,Số hồ sơ tiếp nhận\n00004,2026-09,5\n00008,2026-09,6\n", []string{"00004", "00008"}, ""},
		{"province then commune name", "Mã tỉnh,Tên xã,Kỳ báo cáo,Số hồ sơ tiếp nhận\n01,Phường Ba Đình,2026-09,5\n01,ngoc ha,2026-09,6\n", []string{"00004", "00008"}, ""},
		{"commune column first", "\"Xã, phường\",Tỉnh/Thành phố,Kỳ báo cáo,Số hồ sơ tiếp nhận\nPhường Ba Đình,Hà Nội,2026-09,5\n", []string{"00004"}, ""},
		{"lost leading zeros", "Mã tỉnh,Mã xã,Kỳ báo cáo,Số hồ sơ tiếp nhận\n01,4,2026-09,5\n", []string{"00004"}, ""},
		{"3 digits in a unit column", "Mã đơn vị,Kỳ báo cáo,Số hồ sơ tiếp nhận\n745,2026-09,5\n", []string{"00745"}, ""},
		{"lost zeros without a province", "Mã xã,Kỳ báo cáo,Số hồ sơ tiếp nhận\n4,2026-09,5\n", []string{"00004"}, ""},
		{"a province's rows unchanged", "Mã đơn vị,Tên đơn vị,Kỳ báo cáo,Số hồ sơ tiếp nhận\n15,Lào Cai,2026-09,5\n", []string{"15"}, ""},
		{"name in another province", "Mã tỉnh,Tên xã,Kỳ báo cáo,Số hồ sơ tiếp nhận\n79,Phường Ba Đình,2026-09,5\n", nil, "79"},
		{"name without a province", "Tên xã,Kỳ báo cáo,Số hồ sơ tiếp nhận\nPhường Ba Đình,2026-09,5\n", nil, "tỉnh"},
		{"code of another province", "Mã tỉnh,Mã xã,Kỳ báo cáo,Số hồ sơ tiếp nhận\n79,00004,2026-09,5\n", nil, "00004"},
		{"total row", "Mã tỉnh,Tên xã,Kỳ báo cáo,Số hồ sơ tiếp nhận\n01,Phường Ba Đình,2026-09,5\n01,Phường Ngọc Hà,2026-09,6\n,Tổng cộng,2026-09,11\n", []string{"00004", "00008"}, ""},
	}
	// a name two communes of one province share once folded: both listed with their codes
	reg := data.Reference()
	m := data.NewMonth(2026, 9)
	if _, err := reg.ResolveCommune("19", "Van Lang", m); err != nil {
		cases = append(cases, struct {
			name, csv string
			want      []string
			problem   string
		}{"ambiguous", "Mã tỉnh,Tên xã,Kỳ báo cáo,Số hồ sơ tiếp nhận\n19,Van Lang,2026-09,5\n", nil, "02143"})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, probs := Parse("x.csv", []byte(c.csv), reg, "vi")
			if c.problem != "" {
				if len(probs) == 0 || !strings.Contains(probs[0].Message, c.problem) {
					t.Fatalf("problems %v, want one saying %q", probs, c.problem)
				}
				return
			}
			if len(probs) > 0 {
				t.Fatalf("problems: %v", probs)
			}
			var got []string
			for _, r := range p.Reports() {
				got = append(got, r.UnitCode())
			}
			if strings.Join(got, " ") != strings.Join(c.want, " ") {
				t.Errorf("units %v, want %v", got, c.want)
			}
		})
	}
}
