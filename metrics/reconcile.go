package metrics

import (
	"context"
	"fmt"
	"math"
	"sort"

	"github.com/egovkpi/egovkpi/data"
)

// Reconciliation (issue 17): the Decision 766 scores the National Public Service Portal
// publishes, set beside egovkpi's own index (Engine.Index766) unit by unit and group by
// group. egovkpi computes the portal's six groups itself (index766.toml: group 3 is
// ONLINE 12 + TTTT 10, as the portal shows it), so the codes meet one to one.

// Reconcile766 is the [reconciliation] table of index766.toml.
type Reconcile766 struct {
	// FlagAbove is the difference, in points, beyond which a unit is flagged.
	FlagAbove float64 `toml:"flag_above_points"`
}

func (r Reconcile766) check(name string) error {
	if !(r.FlagAbove > 0) || math.IsInf(r.FlagAbove, 0) {
		return fmt.Errorf("%s: reconciliation.flag_above_points must be a number of points above 0 (the issue: 0.5)", name)
	}
	return nil
}

// PortalSource reads the imported portal scores; *data.Store is one.
type PortalSource interface {
	PortalScores(ctx context.Context, p data.Period) ([]data.PortalScore, error)
}

// PortalPeriods lists the periods with imported portal scores, the most recently imported
// first (none when the source keeps no portal scores).
func (e *Engine) PortalPeriods(ctx context.Context) ([]data.Period, error) {
	ps, ok := e.src.(interface {
		PortalPeriods(ctx context.Context) ([]data.Period, error)
	})
	if !ok {
		return nil, nil
	}
	return cached(e, "portal-periods", func() ([]data.Period, error) { return ps.PortalPeriods(ctx) })
}

// Which side of the comparison a unit is on.
const (
	SideBoth        = "both"
	SidePortalOnly  = "portal_only"  // the portal scored it; egovkpi has no record of it for the period
	SideEgovkpiOnly = "egovkpi_only" // egovkpi ranks it; the portal file does not name it
)

// ReconcileCell is one figure on both sides: the total or a group.
type ReconcileCell struct {
	Code    string   // "total" or a group's code
	Max     float64  // the group's maximum (100 for the total)
	Portal  *float64 // nil: the portal gave none
	Egovkpi *float64 // nil: egovkpi has no data for it (rounded to 2 decimals, as shown)
	// Diff is Egovkpi − Portal, to 2 decimals; nil unless both sides have a figure.
	Diff *float64
	// Flagged: |Diff| above the threshold, or only one side has the figure.
	Flagged bool
}

// ReconcileRow is one unit.
type ReconcileRow struct {
	Unit        data.Unit
	Side        string
	PortalRank  *int
	EgovkpiRank *int
	Total       ReconcileCell
	Groups      []ReconcileCell // in the portal's order (data.PortalGroups)
	Flagged     bool
	// MergedInto is the unit now carrying the work of a unit the portal scored that no
	// longer exists (a period before the 2025 mergers): egovkpi ranks units as they are now.
	MergedInto string
	// PortalVersion is the stored version of the portal's scores compared (1 the first).
	PortalVersion int
}

// Reconciliation is a group's comparison for a period.
type Reconciliation struct {
	Period    data.Period
	Group     data.Group
	Threshold float64 // points (index766.toml)
	// Imported says whether any portal scores of the period are stored.
	Imported bool
	Rows     []ReconcileRow
	// Compared counts the units on both sides; Flagged those of them flagged.
	Compared, Flagged       int
	PortalOnly, EgovkpiOnly int
}

// Reconcile compares the portal's scores for the period with egovkpi's index for the
// group's units.
func (e *Engine) Reconcile(ctx context.Context, p data.Period, g data.Group) (*Reconciliation, error) {
	ps, ok := e.src.(PortalSource)
	if !ok {
		return nil, fmt.Errorf("reconcile: the source keeps no portal scores")
	}
	b, err := e.Index766(ctx, p, g)
	if err != nil {
		return nil, err
	}
	scores, err := ps.PortalScores(ctx, p)
	if err != nil {
		return nil, err
	}
	return ReconcileBoard(b, scores, e.src.Units()), nil
}

// ReconcileBoard sets the portal's scores beside a board: every unit the board ranks and
// every unit of the board's group the portal scored. Scores of other groups are left out.
func ReconcileBoard(b *Index766Board, scores []data.PortalScore, reg *data.Registry) *Reconciliation {
	t := b.Config.Reconcile.FlagAbove
	rec := &Reconciliation{Period: b.Period, Group: b.Group, Threshold: t, Imported: len(scores) > 0}
	portal := map[string]data.PortalScore{}
	for _, sc := range scores {
		u, ok := reg.Latest(sc.UnitCode)
		if ok && u.Group == b.Group {
			portal[sc.UnitCode] = sc
		}
	}
	maxOf := map[string]float64{}
	for _, gd := range b.Config.Groups {
		maxOf[gd.Code] = gd.Max
	}
	cell := func(code string, max float64, pv, ev *float64) ReconcileCell {
		c := ReconcileCell{Code: code, Max: max, Portal: pv, Egovkpi: ev}
		switch {
		case pv != nil && ev != nil:
			d := round(*ev-*pv, 2)
			c.Diff = &d
			// compared to 2 decimals as both sides show them: 0.50 is not above 0.5
			c.Flagged = math.Abs(d) > t+1e-9
		case pv != nil || ev != nil:
			c.Flagged = true
		}
		return c
	}
	ptr := func(v float64) *float64 { return &v }
	seen := map[string]bool{}
	for _, r := range b.Rows {
		sc, inPortal := portal[r.Unit.Code]
		if r.Rank == nil && !inPortal {
			continue // neither side has anything to say of it
		}
		seen[r.Unit.Code] = true
		row := ReconcileRow{Unit: r.Unit, EgovkpiRank: r.Rank}
		var ours map[string]*float64
		var total *float64
		if r.Rank != nil {
			total = ptr(round(r.Result.Total, 2))
			ours = map[string]*float64{}
			for _, gs := range r.Result.Groups {
				if !gs.NoData {
					ours[gs.Code] = ptr(round(gs.Points, 2))
				}
			}
		}
		switch {
		case inPortal && r.Rank != nil:
			row.Side = SideBoth
		case inPortal:
			row.Side = SidePortalOnly
		default:
			row.Side = SideEgovkpiOnly
		}
		var theirs map[string]float64
		var theirTotal *float64
		if inPortal {
			theirs, theirTotal = sc.Groups, ptr(sc.Total)
			row.PortalRank, row.PortalVersion = sc.Rank, sc.Version
		}
		row.Total = cell("total", 100, theirTotal, total)
		for _, code := range data.PortalGroups {
			var pv *float64
			if v, ok := theirs[code]; ok {
				pv = ptr(v)
			}
			row.Groups = append(row.Groups, cell(code, maxOf[code], pv, ours[code]))
		}
		rec.add(row)
	}
	// the portal's units the board does not hold: units that no longer exist
	var rest []string
	for code := range portal {
		if !seen[code] {
			rest = append(rest, code)
		}
	}
	sort.Strings(rest)
	for _, code := range rest {
		sc := portal[code]
		u, _ := reg.Latest(code)
		row := ReconcileRow{Unit: u, Side: SidePortalOnly, PortalRank: sc.Rank, PortalVersion: sc.Version}
		if cur := reg.Current(code); cur != "" && cur != code {
			row.MergedInto = cur
		}
		row.Total = cell("total", 100, ptr(sc.Total), nil)
		for _, gc := range data.PortalGroups {
			var pv *float64
			if v, ok := sc.Groups[gc]; ok {
				pv = ptr(v)
			}
			row.Groups = append(row.Groups, cell(gc, maxOf[gc], pv, nil))
		}
		rec.add(row)
	}
	return rec
}

func (rec *Reconciliation) add(row ReconcileRow) {
	row.Flagged = row.Side == SideBoth && row.Total.Flagged
	for _, c := range row.Groups {
		row.Flagged = row.Flagged || (row.Side == SideBoth && c.Flagged)
	}
	switch row.Side {
	case SideBoth:
		rec.Compared++
		if row.Flagged {
			rec.Flagged++
		}
	case SidePortalOnly:
		rec.PortalOnly++
	default:
		rec.EgovkpiOnly++
	}
	rec.Rows = append(rec.Rows, row)
}
