package ingest

import (
	"context"
	"embed"
	"path"
)

// The UN E-Government Survey results 2010–2018 as the UNU-EGOV datasets publish them,
// embedded so that the demo shows the international benchmark too.
//
//go:embed survey/*.csv
var surveyFS embed.FS

// LoadSurveys imports the embedded survey files through the same path as an upload.
func (in *Ingester) LoadSurveys(ctx context.Context) (int, error) {
	names, err := surveyFS.ReadDir("survey")
	if err != nil {
		return 0, err
	}
	n := 0
	for _, e := range names {
		b, err := surveyFS.ReadFile(path.Join("survey", e.Name()))
		if err != nil {
			return n, err
		}
		res, err := in.Ingest(ctx, Request{Name: e.Name(), Content: b, Actor: "demo", Source: "demo", Benchmarks: true})
		if err != nil {
			return n, err
		}
		if res.Accepted {
			n++
		}
	}
	return n, nil
}
