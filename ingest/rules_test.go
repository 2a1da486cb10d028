package ingest

import (
	"os"

	"github.com/BurntSushi/toml"

	"github.com/egovkpi/egovkpi/data"
)

// shippedRules are read from the definitions file itself (the metrics package embeds
// it; ingest cannot import metrics, whose benchmarks import ingest).
var shippedRules = func() []data.Rule {
	var d struct {
		Rules []data.Rule `toml:"rule"`
	}
	b, err := os.ReadFile("../metrics/indicators.toml")
	if err != nil {
		panic(err)
	}
	if _, err := toml.Decode(string(b), &d); err != nil {
		panic(err)
	}
	return d.Rules
}()
