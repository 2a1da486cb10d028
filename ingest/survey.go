package ingest

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path"

	"github.com/egovkpi/egovkpi/data"
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

// KeepAssessment stores a capability checklist replayed from the kept files (rebuild);
// a checklist sent by a person goes through Ingest like any file.
func (in *Ingester) KeepAssessment(ctx context.Context, a data.Assessment) (data.Assessment, error) {
	st, ok := in.Store.(AssessmentSubmitter)
	if !ok {
		return a, fmt.Errorf("the store cannot take checklists")
	}
	if a.SubmittedAt.IsZero() {
		a.SubmittedAt = in.now().UTC()
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.keepAssessment(ctx, st, a)
}

// keepAssessment keeps the checklist as a file (JSON) by its SHA-256, then stores it as
// the next version for its unit and month, under a manifest entry rebuild replays. The
// caller holds in.mu.
func (in *Ingester) keepAssessment(ctx context.Context, st AssessmentSubmitter, a data.Assessment) (data.Assessment, error) {
	body, err := json.Marshal(a)
	if err != nil {
		return a, err
	}
	sum := sha256.Sum256(body)
	sha := hex.EncodeToString(sum[:])
	if err := in.keep(sha, body); err != nil {
		return a, err
	}
	var out []data.Assessment
	err = in.commit(manifestEntry{SHA256: sha, Name: "capabilities-" + a.UnitCode + "-" + a.Month.String() + ".json", Actor: a.SubmittedBy,
		Source: "capabilities", At: a.SubmittedAt, Assessment: true}, func() error {
		var err error
		out, err = st.SubmitAssessments(ctx, []data.Assessment{a})
		return err
	})
	if err != nil {
		return a, err
	}
	return out[0], nil
}
