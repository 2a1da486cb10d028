package data

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// The Decision 766 scores the National Public Service Portal publishes (issue 17,
// reconciliation): imported through ingest.Ingester.Ingest like every file, stored here in
// versions, read back to be set beside egovkpi's own index.

// PortalGroups are the portal's six group codes, in the order it shows them; each is a
// column of portal_scores.
var PortalGroups = []string{"CKMB", "TDGQ", "ONLINE", "TTTT", "MDSH", "MDHL"}

// PortalGroupMax is each group's maximum as the portal publishes it (Decision 766; group 3's
// 22 shown as 12 + 10), which an imported score may not exceed. metrics' test checks that
// index766.toml's defaults are the same.
var PortalGroupMax = map[string]float64{"CKMB": 18, "TDGQ": 20, "ONLINE": 12, "TTTT": 10, "MDSH": 22, "MDHL": 18}

// PortalScore is one unit's published scores for one period.
type PortalScore struct {
	UnitCode string
	Period   Period
	Total    float64
	// Groups holds the scores by code (PortalGroups); a group the portal left empty is
	// absent.
	Groups map[string]float64
	Rank   *int
	Line   int // the row in the file
	// Version, SHA256, ImportedBy and ImportedAt are the stored version's (set when read).
	Version    int
	SHA256     string
	ImportedBy string
	ImportedAt time.Time
}

// PortalImport is one portal-scores file, checked by the ingester.
type PortalImport struct {
	SHA256   string
	FileName string
	Actor    string
	At       time.Time
	Scores   []PortalScore
	DryRun   bool
	// Keep, when set, runs just before the commit (it keeps the file); an error rolls
	// everything back.
	Keep func() error
}

// PortalResult is what a portal-scores file changed (or, dry, would change).
type PortalResult struct {
	Rows int `json:"rows"`
	// Superseded counts the rows that replace an earlier version of the same unit and
	// period (the earlier one is kept).
	Superseded int  `json:"superseded"`
	Identical  bool `json:"identical,omitempty"`
}

// ImportPortalScores stores a file's scores, whole or not at all: each row becomes the
// next version of its unit and period. The same file again (by SHA-256) is identical and
// changes nothing.
func (s *Store) ImportPortalScores(ctx context.Context, imp PortalImport) (PortalResult, error) {
	res := PortalResult{Rows: len(imp.Scores)}
	err := s.change(ctx, changesData, func(conn *sql.Conn) error {
		var n int
		if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM portal_score_imports WHERE source_sha256 = ?`, imp.SHA256).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			res.Identical, res.Rows = true, 0
			return nil
		}
		rows := make([][]any, len(imp.Scores))
		for i, sc := range imp.Scores {
			var v int
			if err := conn.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM portal_scores WHERE unit_code = ? AND period = ?`,
				sc.UnitCode, sc.Period.String()).Scan(&v); err != nil {
				return err
			}
			if v > 0 {
				res.Superseded++
			}
			var rank any
			if sc.Rank != nil {
				rank = *sc.Rank
			}
			row := []any{sc.UnitCode, sc.Period.String(), v + 1, sc.Total}
			for _, g := range PortalGroups {
				if x, ok := sc.Groups[g]; ok {
					row = append(row, x)
				} else {
					row = append(row, nil)
				}
			}
			rows[i] = append(row, rank, sc.Line, imp.SHA256, imp.Actor, imp.At.UTC())
		}
		if err := insertRows(ctx, conn, portalScoresTable, 15, rows); err != nil {
			return err
		}
		if _, err := conn.ExecContext(ctx, `INSERT INTO portal_score_imports VALUES (?, ?, ?, ?, ?)`, imp.SHA256, imp.FileName, imp.Actor,
			imp.At.UTC(), len(imp.Scores)); err != nil {
			return err
		}
		return endImport(imp.DryRun, imp.Keep)
	})
	return res, importError(err, "portal scores")
}

const portalScoresTable = "portal_scores"

// PortalScoresImported reports whether a portal-scores file with this SHA-256 is stored.
func (s *Store) PortalScoresImported(ctx context.Context, sha string) (bool, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM portal_score_imports WHERE source_sha256 = ?`, sha).Scan(&n)
	return n > 0, err
}

const portalScoresLatest = `SELECT unit_code, version, total, ckmb, tdgq, online, tttt, mdsh, mdhl, rank, line, source_sha256,
	coalesce(imported_by, ''), imported_at
	FROM portal_scores WHERE period = ?
	QUALIFY version = max(version) OVER (PARTITION BY unit_code)
	ORDER BY unit_code`

// PortalScores returns, for every unit the portal scored in the period, its latest
// version.
func (s *Store) PortalScores(ctx context.Context, p Period) ([]PortalScore, error) {
	rows, err := s.db.QueryContext(ctx, portalScoresLatest, p.String())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []PortalScore
	for rows.Next() {
		sc := PortalScore{Period: p, Groups: map[string]float64{}}
		var g [6]sql.NullFloat64
		var rank sql.NullInt64
		if err := rows.Scan(&sc.UnitCode, &sc.Version, &sc.Total, &g[0], &g[1], &g[2], &g[3], &g[4], &g[5], &rank, &sc.Line, &sc.SHA256,
			&sc.ImportedBy, &sc.ImportedAt); err != nil {
			return nil, err
		}
		for i, code := range PortalGroups {
			if g[i].Valid {
				sc.Groups[code] = g[i].Float64
			}
		}
		if rank.Valid {
			r := int(rank.Int64)
			sc.Rank = &r
		}
		out = append(out, sc)
	}
	return out, rows.Err()
}

// PortalScoreVersions counts the stored versions of a unit's scores for a period (0: none).
func (s *Store) PortalScoreVersions(ctx context.Context, unit string, p Period) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM portal_scores WHERE unit_code = ? AND period = ?`, unit, p.String()).Scan(&n)
	return n, err
}

// PortalPeriods lists the periods with imported portal scores, the most recently imported
// first.
func (s *Store) PortalPeriods(ctx context.Context) ([]Period, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT period FROM portal_scores GROUP BY period ORDER BY max(imported_at) DESC, period DESC`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Period
	for rows.Next() {
		var raw string
		if err := rows.Scan(&raw); err != nil {
			return nil, err
		}
		p, err := ParsePeriod(raw)
		if err != nil {
			return nil, fmt.Errorf("portal scores: stored period %q: %w", raw, err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}
