package dashboard

import (
	"errors"
	"testing"

	"github.com/egovkpi/egovkpi/metrics"
)

// A binary built without `make assets` would serve pages that draw no chart: it must not
// start, and say what to run.
func TestNoChartLibraryNoStart(t *testing.T) {
	const name = "vendor/echarts.min.js"
	saved, ok := assets[name]
	if !ok {
		t.Fatal("this test binary was built without the chart library: run make assets")
	}
	delete(assets, name)
	defer func() { assets[name] = saved }()
	_, err := New(Config{Engine: metrics.NewEngine(nil, nil)})
	if !errors.Is(err, ErrNoAssets) {
		t.Fatalf("started without the chart library: %v", err)
	}
}
