package dashboard

import (
	"testing"

	"github.com/egovkpi/egovkpi/data"
)

func TestCronWords(t *testing.T) {
	for _, tc := range []struct {
		spec, vi, en string
		ok           bool
	}{
		{"0 2 11 * *", "02:00 ngày 11 hằng tháng", "02:00 on day 11 of every month", true},
		{"0 7 11 * *", "07:00 ngày 11 hằng tháng", "07:00 on day 11 of every month", true},
		{"30 6 * * *", "06:30 hằng ngày", "06:30 every day", true},
		{"15 8 * * 1", "08:15 thứ Hai hằng tuần", "08:15 every Monday", true},
		{"0 0 * * 0", "00:00 Chủ nhật hằng tuần", "00:00 every Sunday", true},
		{"0 9 15 1 *", "09:00 ngày 15/1 hằng năm", "09:00 on 15 January every year", true},
		{"*/5 * * * *", "", "", false},
		{"0 2 1-5 * *", "", "", false},
		{"0 25 11 * *", "", "", false},
		{"@monthly", "", "", false},
		{"", "", "", false},
	} {
		t.Run(tc.spec, func(t *testing.T) {
			vi, ok := cronWords("vi", tc.spec)
			en, _ := cronWords("en", tc.spec)
			if ok != tc.ok || vi != tc.vi || en != tc.en {
				t.Errorf("cronWords(%q) = %q, %q, %v; want %q, %q, %v", tc.spec, vi, en, ok, tc.vi, tc.en, tc.ok)
			}
		})
	}
}

func TestAuditDetailInWords(t *testing.T) {
	e := data.AuditEntry{Action: "supersede", Detail: map[string]any{"source": "upload", "version": float64(2), "file": "jump.xlsx",
		"changes": map[string]any{"feedback_total": []any{float64(37801), float64(190000)}, "dossiers_overdue": []any{float64(0), nil}}}}
	for _, tc := range []struct{ lang, want string }{
		{"vi", "Thay đổi: Số lượt đánh giá 37.801 → 190.000; Số hồ sơ quá hạn chưa giải quyết 0 → — · Tệp: jump.xlsx · Nguồn: Tải lên trên trang · Phiên bản: 2"},
		{"en", "Changes: Satisfaction ratings given 37,801 → 190,000; Dossiers open past their due date 0 → — · File: jump.xlsx · Source: Uploaded on the page · Version: 2"},
	} {
		if got := auditDetail(nil, tc.lang, e); got != tc.want {
			t.Errorf("%s:\n got %q\nwant %q", tc.lang, got, tc.want)
		}
	}
	set := data.AuditEntry{Action: "setting", Detail: map[string]any{"key": "report_schedule", "old": "0 7 11 * *", "new": "0 2 11 * *"}}
	if got, want := auditDetail(nil, "vi", set), "Cấu hình: Lịch lập báo cáo tự động · Trước: 07:00 ngày 11 hằng tháng · Sau: 02:00 ngày 11 hằng tháng"; got != want {
		t.Errorf("setting:\n got %q\nwant %q", got, want)
	}
}
