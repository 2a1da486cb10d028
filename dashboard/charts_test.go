package dashboard

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/go-echarts/go-echarts/v2/opts"
)

// TestChartsKeepTheirAxes: every chart's option names its categories, so that echarts
// draws months and units, not a 0–100 value axis.
func TestChartsKeepTheirAxes(t *testing.T) {
	v := 90.0
	for _, tc := range []struct {
		name, option, axis, want string
	}{
		{"line", lineChart([]string{"2026-09", "2026-10"}, map[string][]opts.LineData{"Hà Nội": {{Value: 1.0}, {Value: 2.0}}}, []string{"Hà Nội"}, "%"),
			"xAxis", "[2026-09 2026-10]"},
		{"bar", barChart("2026-10", []string{"Hà Nội", "Huế"}, []opts.BarData{{Value: 95.0}, {Value: 80.0}}, &v, "mục tiêu"),
			"yAxis", "[Hà Nội Huế]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var o map[string]json.RawMessage
			if err := json.Unmarshal([]byte(tc.option), &o); err != nil {
				t.Fatal(err)
			}
			var axes []struct{ Data []string }
			if err := json.Unmarshal(o[tc.axis], &axes); err != nil {
				t.Fatal(err)
			}
			if len(axes) == 0 || fmt.Sprint(axes[0].Data) != tc.want {
				t.Errorf("%s: %s", tc.axis, tc.option)
			}
		})
	}
}
