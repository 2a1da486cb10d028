package metrics

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/egovkpi/egovkpi/data"
)

// Source is what the engine reads; *data.Store is one.
type Source interface {
	Sums(ctx context.Context, q data.SumsQuery) ([]data.Sum, error)
	ReportTimes(ctx context.Context, from, to data.Month) ([]data.ReportTime, error)
	Coverage(ctx context.Context) (data.Coverage, error)
	AssessmentsAsOf(ctx context.Context, m data.Month) (map[string]data.Assessment, error)
	DataVersion() int64
	Units() *data.Registry
}

// Engine computes and caches results. Cached results are dropped whenever the source's
// data version moves, so nothing stale is ever served and nothing unchanged is recomputed.
type Engine struct {
	src  Source
	defs *Defs
	now  func() time.Time

	mu      sync.Mutex
	version int64
	cache   map[string]any
	// filling holds the computations under way, by key and data version: a figure many
	// readers ask for at once (every unit page needs the national rankings) is computed
	// once while the others wait for it
	filling map[string]*filling
}

// filling is one computation under way; done closes when v and err are set.
type filling struct {
	done chan struct{}
	v    any
	err  error
}

// NewEngine returns an engine over src with the definitions defs.
func NewEngine(src Source, defs *Defs) *Engine {
	return &Engine{src: src, defs: defs, now: time.Now, cache: map[string]any{}, filling: map[string]*filling{}}
}

// DataVersion moves whenever the data changes.
func (e *Engine) DataVersion() int64 { return e.src.DataVersion() }

// Defs are the engine's definitions.
func (e *Engine) Defs() *Defs { return e.defs }

// Units is the reference registry.
func (e *Engine) Units() *data.Registry { return e.src.Units() }

// errStopped is a computation that ended without a value or an error (it panicked).
var errStopped = errors.New("the computation stopped")

// cached returns the value kept under key for the data as it is now, or computes it with
// f and keeps it; concurrent callers of one key share one computation.
func cached[T any](e *Engine, key string, f func() (T, error)) (T, error) {
	v := e.src.DataVersion()
	e.mu.Lock()
	if e.version != v || len(e.cache) > 20000 {
		e.cache = map[string]any{}
		e.version = v
	}
	if r, ok := e.cache[key]; ok {
		e.mu.Unlock()
		return r.(T), nil
	}
	fk := strconv.FormatInt(v, 10) + "\x00" + key
	if c, ok := e.filling[fk]; ok {
		e.mu.Unlock()
		<-c.done
		if errors.Is(c.err, context.Canceled) || errors.Is(c.err, context.DeadlineExceeded) || errors.Is(c.err, errStopped) {
			return cached(e, key, f) // the first caller's request ended: not this one's
		}
		if c.err != nil {
			var zero T
			return zero, c.err
		}
		return c.v.(T), nil
	}
	c := &filling{done: make(chan struct{}), err: errStopped}
	e.filling[fk] = c
	e.mu.Unlock()
	defer func() {
		e.mu.Lock()
		delete(e.filling, fk)
		e.mu.Unlock()
		close(c.done)
	}()
	r, err := f()
	c.v, c.err = r, err
	if err != nil {
		return r, err
	}
	e.mu.Lock()
	if e.version == v {
		e.cache[key] = r
	}
	e.mu.Unlock()
	return r, nil
}

// Boundaries say whether units are taken as they are now or as they were.
type Boundaries string

// The boundaries.
const (
	Current    Boundaries = "current"
	Historical Boundaries = "historical"
)

// ParseBoundaries accepts current (the default) or historical.
func ParseBoundaries(s string) (Boundaries, error) {
	switch s {
	case "", "current":
		return Current, nil
	case "historical":
		return Historical, nil
	}
	return "", data.Errorf(data.ErrInvalid, "không có địa giới “%s”: chọn địa giới hiện nay hoặc địa giới trước sáp nhập", "boundaries %q: use current or historical", s)
}

type unitSums map[string]map[string]int64 // unit → measure → sum

func (e *Engine) sums(ctx context.Context, g data.Group, from, to data.Month, b Boundaries) (unitSums, error) {
	key := fmt.Sprintf("sums|%s|%d|%d|%s", g, from, to, b)
	return cached(e, key, func() (unitSums, error) {
		rows, err := e.src.Sums(ctx, data.SumsQuery{Group: g, From: from, To: to, Current: b == Current})
		if err != nil {
			return nil, err
		}
		out := unitSums{}
		for _, r := range rows {
			if out[r.Unit] == nil {
				out[r.Unit] = map[string]int64{}
			}
			out[r.Unit][r.Measure] = r.Value
		}
		return out, nil
	})
}

// monthly returns sums per month for a span, one query for the whole span.
func (e *Engine) monthly(ctx context.Context, g data.Group, from, to data.Month, b Boundaries) (map[data.Month]unitSums, error) {
	key := fmt.Sprintf("monthly|%s|%d|%d|%s", g, from, to, b)
	return cached(e, key, func() (map[data.Month]unitSums, error) {
		rows, err := e.src.Sums(ctx, data.SumsQuery{Group: g, From: from, To: to, Current: b == Current, ByMonth: true})
		if err != nil {
			return nil, err
		}
		out := map[data.Month]unitSums{}
		for _, r := range rows {
			if out[r.Month] == nil {
				out[r.Month] = unitSums{}
			}
			if out[r.Month][r.Unit] == nil {
				out[r.Month][r.Unit] = map[string]int64{}
			}
			out[r.Month][r.Unit][r.Measure] = r.Value
		}
		return out, nil
	})
}

// units returns the units ranked for a period: those in force now (current boundaries)
// or in force in the period's last month (historical).
func (e *Engine) units(g data.Group, p data.Period, b Boundaries) []data.Unit {
	reg := e.src.Units()
	if b == Historical {
		return reg.InForce(g, p.To)
	}
	// not a filter over reg.All(), which copies every unit and commune: a third of a
	// unit page's first rendering went to those copies
	return reg.Present(g)
}

// Coverage is the span of months with data.
func (e *Engine) Coverage(ctx context.Context) (data.Coverage, error) {
	return cached(e, "coverage", func() (data.Coverage, error) { return e.src.Coverage(ctx) })
}

// checkPeriod refuses periods outside the data.
func (e *Engine) checkPeriod(ctx context.Context, p data.Period) error {
	c, err := e.Coverage(ctx)
	if err != nil {
		return err
	}
	if c.LastMonth.IsZero() {
		return data.Errorf(data.ErrNotFound, "Cơ sở dữ liệu chưa có số liệu nào", "the database holds no data yet")
	}
	if p.To < c.FirstMonth || p.From > c.LastMonth {
		return &data.Error{Kind: data.ErrNotFound,
			VI: fmt.Sprintf("Không có số liệu cho %s: số liệu có từ %s đến %s", strings.ToLower(p.Label("vi")),
				strings.ToLower(data.MonthPeriod(c.FirstMonth).Label("vi")), strings.ToLower(data.MonthPeriod(c.LastMonth).Label("vi"))),
			EN: fmt.Sprintf("no data for %s: data runs from %s to %s", p, c.FirstMonth, c.LastMonth)}
	}
	return nil
}

func round(v float64, dec int) float64 {
	f := math.Pow(10, float64(dec))
	return math.Round(v*f) / f
}

func sumOf(m map[string]int64, codes []string) (int64, bool) {
	var t int64
	any := false
	for _, c := range codes {
		if v, ok := m[c]; ok {
			t += v
			any = true
		}
	}
	return t, any
}
