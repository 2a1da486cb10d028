package metrics

import (
	"context"

	"github.com/egovkpi/egovkpi/data"
)

// CommuneReportingSource says which provinces expect their communes to report, and
// from which month; *data.Store is one. A source without it expects no commune.
type CommuneReportingSource interface {
	CommuneReporting(ctx context.Context) (map[string]data.Month, error)
}

// communeReporting is the provinces whose communes report, by the first month they do.
func (e *Engine) communeReporting(ctx context.Context) (map[string]data.Month, error) {
	src, ok := e.src.(CommuneReportingSource)
	if !ok {
		return nil, nil
	}
	return cached(e, "commune-reporting", func() (map[string]data.Month, error) { return src.CommuneReporting(ctx) })
}

// expectedUnits are the units of group g expected to report for month m: those in force,
// and for communes only those of provinces that turned commune reporting on by m, so
// that 3,321 communes nobody asked to report hold up neither completeness nor the
// closed month.
func (e *Engine) expectedUnits(ctx context.Context, g data.Group, m data.Month) ([]data.Unit, error) {
	reg := e.src.Units()
	if g != data.Communes {
		return reg.InForce(g, m), nil
	}
	on, err := e.communeReporting(ctx)
	if err != nil {
		return nil, err
	}
	var out []data.Unit
	for _, p := range reg.InForce(data.Provinces, m) {
		if from, ok := on[p.Code]; ok && from <= m {
			out = append(out, reg.Communes(p.Code, m)...)
		}
	}
	return out, nil
}
