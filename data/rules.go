package data

import "fmt"

// Rule is a consistency check on one unit's monthly values, defined as data in the
// definitions file. Kind "le": the sum of Left must not exceed the sum of Right. Kind
// "jump": a value more than Factor times (or less than 1/Factor of) last month's.
type Rule struct {
	Kind      string   `toml:"kind" json:"kind"`
	Left      []string `toml:"left" json:"left,omitempty"`
	Right     []string `toml:"right" json:"right,omitempty"`
	Factor    float64  `toml:"factor" json:"factor,omitempty"`
	Severity  string   `toml:"severity" json:"severity"` // error | warning
	MessageVI string   `toml:"message_vi" json:"message_vi"`
	MessageEN string   `toml:"message_en" json:"message_en"`
}

// Check validates a rule's own definition.
func (r Rule) Check() error {
	if r.Severity != "error" && r.Severity != "warning" {
		return fmt.Errorf("rule severity %q: use error or warning", r.Severity)
	}
	switch r.Kind {
	case "le":
		if len(r.Left) == 0 || len(r.Right) == 0 {
			return fmt.Errorf("rule le needs left and right")
		}
		for _, m := range append(append([]string{}, r.Left...), r.Right...) {
			if MeasureIndex(m) < 0 {
				return fmt.Errorf("rule: unknown measure %q", m)
			}
		}
	case "jump":
		if r.Factor <= 1 {
			return fmt.Errorf("rule jump needs a factor above 1")
		}
	default:
		return fmt.Errorf("rule kind %q: use le or jump", r.Kind)
	}
	return nil
}
