package data

import "sync"

// Measure is a raw monthly count that a unit reports.
type Measure struct {
	Code    string `json:"code"`
	LabelVI string `json:"label_vi"`
	LabelEN string `json:"label_en"`
}

// Measures is the catalogue, in the order of the report template.
var Measures = []Measure{
	{"procedures_total", "Tổng số thủ tục hành chính (TTHC)", "Administrative procedures, total"},
	{"procedures_online_full", "Số TTHC cung cấp dịch vụ công trực tuyến toàn trình (mức độ 4)", "Procedures offered fully online (level 4)"},
	{"procedures_online_partial", "Số TTHC cung cấp dịch vụ công trực tuyến một phần (mức độ 3)", "Procedures offered partly online (level 3)"},
	{"procedures_published", "Số TTHC được công khai đầy đủ, đúng hạn", "Procedures published fully and on time"},
	{"dossiers_received", "Số hồ sơ tiếp nhận", "Dossiers received"},
	{"dossiers_received_online", "Số hồ sơ tiếp nhận trực tuyến", "Dossiers received online"},
	{"dossiers_resolved", "Số hồ sơ đã giải quyết", "Dossiers resolved"},
	{"dossiers_resolved_on_time", "Số hồ sơ giải quyết đúng hạn (trước và đúng hạn)", "Dossiers resolved on time (early or on time)"},
	{"dossiers_digitized", "Số hồ sơ được số hóa", "Dossiers digitised"},
	{"payments_total", "Số hồ sơ thuộc diện nộp phí, lệ phí", "Dossiers subject to fees and charges"},
	{"payments_online", "Số hồ sơ thanh toán trực tuyến", "Dossiers paid online"},
	{"feedback_total", "Số lượt đánh giá", "Satisfaction ratings given"},
	{"feedback_satisfied", "Số lượt đánh giá hài lòng", "Ratings satisfied"},
	{"docs_total", "Tổng số văn bản đi", "Outgoing official documents, total"},
	{"docs_electronic", "Số văn bản điện tử gửi, nhận qua Trục liên thông văn bản quốc gia", "Electronic documents sent and received through the national document exchange axis"},
	{"dossiers_overdue", "Số hồ sơ quá hạn chưa giải quyết", "Dossiers open past their due date"},
}

// MeasureIndex returns the position of the measure code in Measures, or -1.
func MeasureIndex(code string) int {
	for i, m := range Measures {
		if m.Code == code {
			return i
		}
	}
	return -1
}

// LookupMeasure finds a measure by its code, its Vietnamese label (with or without
// diacritics, any case or spacing) or its English label.
func LookupMeasure(s string) (Measure, bool) {
	f := fold(s)
	for i, m := range Measures {
		if f == m.Code || f == foldedLabels()[i][0] || f == foldedLabels()[i][1] {
			return m, true
		}
	}
	return Measure{}, false
}

// foldedLabels are the measures' labels folded once (Vietnamese, English): a header row is
// matched against them cell by cell.
var foldedLabels = sync.OnceValue(func() [][2]string {
	out := make([][2]string, len(Measures))
	for i, m := range Measures {
		out[i] = [2]string{fold(m.LabelVI), fold(m.LabelEN)}
	}
	return out
})
