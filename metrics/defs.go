// Package metrics computes indicators from raw counts: roll-ups, rankings with ties, the
// composite index, targets, completeness and outliers.
package metrics

import (
	_ "embed"
	"fmt"
	"os"
	"sort"

	"github.com/BurntSushi/toml"

	"github.com/egovkpi/egovkpi/data"
)

//go:embed indicators.toml
var defaultDefs []byte

// Target is an indicator's target from a year on, with its legal source.
type Target struct {
	Year   int     `toml:"year" json:"year"`
	Value  float64 `toml:"value" json:"value"`
	Source string  `toml:"source" json:"source"`
}

// Indicator is a ratio of sums of measures.
type Indicator struct {
	Code        string   `toml:"code" json:"code"`
	NameVI      string   `toml:"name_vi" json:"name_vi"`
	NameEN      string   `toml:"name_en" json:"name_en"`
	Numerator   []string `toml:"numerator" json:"numerator"`
	Denominator []string `toml:"denominator" json:"denominator"`
	Kind        string   `toml:"kind" json:"kind"`
	Precision   *int     `toml:"precision" json:"precision"`
	Direction   string   `toml:"direction" json:"direction"`
	NounVI      string   `toml:"noun_vi" json:"noun_vi"`
	NounEN      string   `toml:"noun_en" json:"noun_en"`
	Targets     []Target `toml:"targets" json:"targets"`
}

// Name is the indicator's name in lang.
func (in Indicator) Name(lang string) string {
	if lang == "en" {
		return in.NameEN
	}
	return in.NameVI
}

// Decimals is the display precision.
func (in Indicator) Decimals() int { return *in.Precision }

// Scale is 100 for percentages, 1 otherwise.
func (in Indicator) Scale() float64 {
	if in.Kind == "percent" {
		return 100
	}
	return 1
}

// HigherIsBetter says which way the indicator ranks.
func (in Indicator) HigherIsBetter() bool { return in.Direction != "lower" }

// TargetFor returns the target in force in year y: the latest whose year is ≤ y.
func (in Indicator) TargetFor(y int) (Target, bool) {
	var best Target
	ok := false
	for _, t := range in.Targets {
		if t.Year <= y && (!ok || t.Year > best.Year) {
			best, ok = t, true
		}
	}
	return best, ok
}

// Component is one indicator's share of a composite.
type Component struct {
	Code   string  `toml:"code" json:"code"`
	Points float64 `toml:"points" json:"points"`
}

// CompositeGroup is a group of components (e.g. "online service", 22 points).
type CompositeGroup struct {
	Code       string      `toml:"code" json:"code"`
	NameVI     string      `toml:"name_vi" json:"name_vi"`
	NameEN     string      `toml:"name_en" json:"name_en"`
	Indicators []Component `toml:"indicators" json:"indicators"`
}

// Points is the group's maximum.
func (g CompositeGroup) Points() float64 {
	t := 0.0
	for _, c := range g.Indicators {
		t += c.Points
	}
	return t
}

// Composite is a weighted index of indicators, 0–100 points.
type Composite struct {
	Code          string           `toml:"code" json:"code"`
	NameVI        string           `toml:"name_vi" json:"name_vi"`
	NameEN        string           `toml:"name_en" json:"name_en"`
	Normalization string           `toml:"normalization" json:"normalization"`
	Groups        []CompositeGroup `toml:"group" json:"groups"`
}

// Grade is a band of composite points.
type Grade struct {
	Min     float64 `toml:"min" json:"min"`
	LabelVI string  `toml:"label_vi" json:"label_vi"`
	LabelEN string  `toml:"label_en" json:"label_en"`
}

// Defs is the whole definitions file.
type Defs struct {
	Indicators []Indicator `toml:"indicator" json:"indicators"`
	Composites []Composite `toml:"composite" json:"composites"`
	Grades     []Grade     `toml:"grade" json:"grades"`
	Reporting  struct {
		DeadlineDay int `toml:"deadline_day" json:"deadline_day"`
		// ClosedShare is the share of expected units whose reports close a month once its
		// deadline has passed (default 0.8).
		ClosedShare float64 `toml:"closed_share" json:"closed_share"`
	} `toml:"reporting" json:"reporting"`
	Outliers struct {
		Threshold float64 `toml:"threshold" json:"threshold"`
	} `toml:"outliers" json:"outliers"`
	Rules        []data.Rule  `toml:"rule" json:"rules"`
	Capabilities []Capability `toml:"capability" json:"capabilities"`
	Levels       []Level      `toml:"level" json:"levels"`
}

// Capability is one thing a unit has built (LGSP, the document axis, …).
type Capability struct {
	Code   string   `toml:"code" json:"code"`
	NameVI string   `toml:"name_vi" json:"name_vi"`
	NameEN string   `toml:"name_en" json:"name_en"`
	Kind   string   `toml:"kind" json:"kind"` // bool | percent
	Groups []string `toml:"groups" json:"groups,omitempty"`
}

// AppliesTo says whether the capability is assessed for a group.
func (c Capability) AppliesTo(g data.Group) bool {
	if len(c.Groups) == 0 {
		return true
	}
	for _, x := range c.Groups {
		if x == string(g) {
			return true
		}
	}
	return false
}

// Criterion is one condition of a maturity level.
type Criterion struct {
	Capability string   `toml:"capability" json:"capability,omitempty"`
	Indicator  string   `toml:"indicator" json:"indicator,omitempty"`
	Min        *float64 `toml:"min" json:"min,omitempty"`
}

// Level is a maturity level and its criteria.
type Level struct {
	Level    int         `toml:"level" json:"level"`
	NameVI   string      `toml:"name_vi" json:"name_vi"`
	NameEN   string      `toml:"name_en" json:"name_en"`
	Criteria []Criterion `toml:"criteria" json:"criteria"`
}

// Capability finds a capability by code.
func (d *Defs) Capability(code string) (Capability, bool) {
	for _, c := range d.Capabilities {
		if c.Code == code {
			return c, true
		}
	}
	return Capability{}, false
}

// DefaultDefs parses the embedded definitions.
func DefaultDefs() (*Defs, error) { return ParseDefs(defaultDefs, "indicators.toml (embedded)") }

// LoadDefs reads a definitions file; an empty path means the embedded one.
func LoadDefs(path string) (*Defs, error) {
	if path == "" {
		return DefaultDefs()
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("indicators: %w", err)
	}
	return ParseDefs(b, path)
}

// ParseDefs parses and checks a definitions file; name is used in errors.
func ParseDefs(b []byte, name string) (*Defs, error) {
	var d Defs
	md, err := toml.Decode(string(b), &d)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		return nil, fmt.Errorf("%s: unknown key %s", name, und[0])
	}
	if d.Reporting.DeadlineDay == 0 {
		d.Reporting.DeadlineDay = 10
	}
	if d.Reporting.ClosedShare == 0 {
		d.Reporting.ClosedShare = 0.8
	}
	if d.Reporting.ClosedShare < 0 || d.Reporting.ClosedShare > 1 {
		return nil, fmt.Errorf("%s: reporting.closed_share %v: give a share between 0 and 1", name, d.Reporting.ClosedShare)
	}
	if d.Outliers.Threshold == 0 {
		d.Outliers.Threshold = 3.5
	}
	seen := map[string]bool{}
	for i := range d.Indicators {
		in := &d.Indicators[i]
		where := fmt.Sprintf("%s: indicator %d (%s)", name, i+1, in.Code)
		if in.Code == "" || seen[in.Code] {
			return nil, fmt.Errorf("%s: code missing or repeated", where)
		}
		seen[in.Code] = true
		if in.Precision == nil {
			p := 2
			in.Precision = &p
		}
		if in.Kind == "" {
			in.Kind = "percent"
		}
		if in.Kind != "percent" && in.Kind != "ratio" {
			return nil, fmt.Errorf("%s: kind %q: use percent or ratio", where, in.Kind)
		}
		if in.Direction == "" {
			in.Direction = "higher"
		}
		if in.Direction != "higher" && in.Direction != "lower" {
			return nil, fmt.Errorf("%s: direction %q: use higher or lower", where, in.Direction)
		}
		if len(in.Numerator) == 0 || len(in.Denominator) == 0 {
			return nil, fmt.Errorf("%s: numerator and denominator are required", where)
		}
		for _, m := range append(append([]string{}, in.Numerator...), in.Denominator...) {
			if data.MeasureIndex(m) < 0 {
				return nil, fmt.Errorf("%s: unknown measure %q", where, m)
			}
		}
	}
	for _, c := range d.Composites {
		switch c.Normalization {
		case "", "none", "minmax", "zscore", "best":
		default:
			return nil, fmt.Errorf("%s: composite %s: normalization %q: use none, minmax, zscore or best", name, c.Code, c.Normalization)
		}
		for _, g := range c.Groups {
			for _, comp := range g.Indicators {
				if !seen[comp.Code] {
					return nil, fmt.Errorf("%s: composite %s: unknown indicator %q", name, c.Code, comp.Code)
				}
			}
		}
	}
	for i, r := range d.Rules {
		if err := r.Check(); err != nil {
			return nil, fmt.Errorf("%s: rule %d: %w", name, i+1, err)
		}
	}
	caps := map[string]bool{}
	for _, c := range d.Capabilities {
		if c.Kind != "bool" && c.Kind != "percent" {
			return nil, fmt.Errorf("%s: capability %s: kind %q: use bool or percent", name, c.Code, c.Kind)
		}
		caps[c.Code] = true
	}
	sort.Slice(d.Levels, func(i, j int) bool { return d.Levels[i].Level < d.Levels[j].Level })
	for _, l := range d.Levels {
		for _, cr := range l.Criteria {
			if (cr.Capability == "") == (cr.Indicator == "") {
				return nil, fmt.Errorf("%s: level %d: a criterion names a capability or an indicator", name, l.Level)
			}
			if cr.Capability != "" && !caps[cr.Capability] {
				return nil, fmt.Errorf("%s: level %d: unknown capability %q", name, l.Level, cr.Capability)
			}
			if cr.Indicator != "" && (!seen[cr.Indicator] || cr.Min == nil) {
				return nil, fmt.Errorf("%s: level %d: indicator %q unknown or without min", name, l.Level, cr.Indicator)
			}
		}
	}
	sort.Slice(d.Grades, func(i, j int) bool { return d.Grades[i].Min > d.Grades[j].Min })
	return &d, nil
}

// Indicator finds an indicator by code.
func (d *Defs) Indicator(code string) (Indicator, bool) {
	for _, in := range d.Indicators {
		if in.Code == code {
			return in, true
		}
	}
	return Indicator{}, false
}

// Composite finds a composite by code.
func (d *Defs) Composite(code string) (Composite, bool) {
	for _, c := range d.Composites {
		if c.Code == code {
			return c, true
		}
	}
	return Composite{}, false
}

// GradeFor returns the grade of a composite total.
func (d *Defs) GradeFor(points float64) Grade {
	for _, g := range d.Grades {
		if points >= g.Min {
			return g
		}
	}
	return Grade{}
}
