package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// dossierMeasures are the measures dossier records decide; a unit-month's other
// measures (procedures, documents) stay as last reported.
var dossierMeasures = []string{"dossiers_received", "dossiers_received_online", "dossiers_digitized", "payments_total",
	"payments_online", "dossiers_resolved", "dossiers_resolved_on_time", "feedback_total", "feedback_satisfied", "dossiers_overdue"}

const dossierColumns = `{'dossier_id': 'VARCHAR', 'unit_code': 'VARCHAR', 'procedure_code': 'VARCHAR', 'channel': 'VARCHAR',
	'received_at': 'TIMESTAMP', 'due_at': 'TIMESTAMP', 'resolved_at': 'TIMESTAMP', 'digitized': 'BOOLEAN',
	'fee_required': 'BOOLEAN', 'paid_online': 'BOOLEAN', 'rating': 'VARCHAR'}`

// longDossier is a dossier kept twice, in dossiers_long too (migration 022): open, or
// resolved 31 days or more after it was received. A period reaches a dossier received more
// than 31 days before it only if it is one.
const longDossier = `resolved_at IS NULL OR resolved_at >= received_at + INTERVAL 31 DAY`

// longReach is how far before a period the dossiers it reads from the dossiers table go;
// those received earlier that it reaches are long ones.
const longReach = 31 * 24 * time.Hour

// badDossier is a row the aggregation could not count.
const badDossier = `dossier_id IS NULL OR unit_code IS NULL OR received_at IS NULL OR channel IS NULL OR channel NOT IN ('online', 'direct', 'postal')
	OR (rating IS NOT NULL AND rating NOT IN ('satisfied', 'dissatisfied', '')) OR supplement_requests < 0`

// aggregateSQL turns the dossiers of the touched units into unit-month measures:
// received, online, digitised and payments by the month received; resolved, on time
// (resolved_at ≤ due_at) and ratings by the month resolved; overdue: still open at the
// end of the month past its due date. The rows are read once, into counts by unit and
// the months received, resolved and due (a few thousand groups; a month is year×12 +
// month − 1, which DuckDB computes three times faster than date_trunc; count(*) FILTER,
// not sum(cond::INT), which DuckDB sums in 128 bits); the rest works
// on those counts. Each unit's counts go to the units dossier_units rolls it up into:
// itself when touched, and its province for a commune or an agency, so that a
// province's measures are the sums of its own rows and its communes' and agencies'
// (every measure counts rows, so sums of counts are counts of the union).
const aggregateSQL = `
WITH r AS (SELECT unit_code, year(received_at) * 12 + month(received_at) - 1 AS rm,
  year(resolved_at) * 12 + month(resolved_at) - 1 AS sm, year(due_at) * 12 + month(due_at) - 1 AS dm,
  count(*) AS n, count(*) FILTER (WHERE resolved_at <= due_at) AS on_time, count(*) FILTER (WHERE channel = 'online') AS online,
  count(*) FILTER (WHERE digitized) AS digitized, count(*) FILTER (WHERE fee_required) AS pay_total,
  count(*) FILTER (WHERE fee_required AND paid_online) AS pay_online,
  count(*) FILTER (WHERE rating IN ('satisfied', 'dissatisfied')) AS fb_total, count(*) FILTER (WHERE rating = 'satisfied') AS fb_ok
  FROM dossiers SEMI JOIN dossier_units USING (unit_code) GROUP BY ALL),
t AS MATERIALIZED (SELECT du.rollup AS unit_code, rm, sm, dm, sum(n) AS n, sum(on_time) AS on_time, sum(online) AS online,
  sum(digitized) AS digitized, sum(pay_total) AS pay_total, sum(pay_online) AS pay_online, sum(fb_total) AS fb_total, sum(fb_ok) AS fb_ok
  FROM r JOIN dossier_units du USING (unit_code) GROUP BY ALL),
months AS (SELECT unit_code, rm AS m FROM t UNION SELECT unit_code, sm FROM t WHERE sm IS NOT NULL),
rec AS (SELECT unit_code, rm AS m, sum(n) AS received, sum(online) AS online, sum(digitized) AS digitized,
  sum(pay_total) AS pay_total, sum(pay_online) AS pay_online FROM t GROUP BY ALL),
res AS (SELECT unit_code, sm AS m, sum(n) AS resolved, sum(on_time) AS on_time, sum(fb_total) AS fb_total, sum(fb_ok) AS fb_ok
  FROM t WHERE sm IS NOT NULL GROUP BY ALL),
-- overdue at the end of month m: due before it, not resolved before it; as running
-- totals: those due by then, less those both due and resolved by then (the later of
-- the two months)
due AS (SELECT unit_code, dm AS m, sum(n) AS n FROM t WHERE dm IS NOT NULL GROUP BY ALL),
closed AS (SELECT unit_code, greatest(dm, sm) AS m, sum(n) AS n FROM t WHERE dm IS NOT NULL AND sm IS NOT NULL GROUP BY ALL),
grid AS (SELECT unit_code, m FROM months UNION SELECT unit_code, m FROM due UNION SELECT unit_code, m FROM closed),
od AS (SELECT g.unit_code, g.m,
  sum(coalesce(due.n, 0)) OVER w - sum(coalesce(closed.n, 0)) OVER w AS overdue
  FROM grid g LEFT JOIN due USING (unit_code, m) LEFT JOIN closed USING (unit_code, m)
  WINDOW w AS (PARTITION BY g.unit_code ORDER BY g.m ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW))
SELECT mo.unit_code, make_date((mo.m // 12)::INT, (mo.m % 12 + 1)::INT, 1), coalesce(received, 0)::BIGINT, coalesce(online, 0)::BIGINT,
  coalesce(digitized, 0)::BIGINT, coalesce(pay_total, 0)::BIGINT, coalesce(pay_online, 0)::BIGINT, coalesce(resolved, 0)::BIGINT,
  coalesce(on_time, 0)::BIGINT, coalesce(fb_total, 0)::BIGINT, coalesce(fb_ok, 0)::BIGINT, coalesce(overdue, 0)::BIGINT
FROM months mo LEFT JOIN rec USING (unit_code, m) LEFT JOIN res USING (unit_code, m) LEFT JOIN od USING (unit_code, m)
ORDER BY 1, 2`

// DossierImport is one dossier export to load.
type DossierImport struct {
	Path     string // the file DuckDB reads
	Format   string // csv | parquet
	SHA256   string
	Actor    string
	FileName string // the name it was sent under, for the history
	// Allow, when set, refuses units the actor may not write, before anything is written.
	Allow func(unit string) error
	// Progress, when set, hears of each step done: "read" (rows: the dossiers read),
	// "checked", "aggregated" (rows: unit-months), "stored".
	Progress func(step string, rows int)
	// DryRun checks everything, then writes nothing.
	DryRun bool
	// Confirm lets the export replace figures a unit reported itself; without it such an
	// export is refused with ErrConfirm and the differences in the result.
	Confirm bool
	// MaxRows bounds the dossiers one export may carry (0: no bound).
	MaxRows int
	// Now is the time the export is judged at (zero: the clock): rows dated after its
	// month are refused, and the versions it makes are stamped with it (so that the demo's
	// export, stamped with its own date, is the same when a rebuild replays it).
	Now time.Time
	// Keep, when set, runs once every check has passed, just before the commit (it keeps
	// the file); an error rolls everything back.
	Keep func() error
}

// DossierChange is a figure a unit reported itself that a dossier export replaces.
type DossierChange struct {
	UnitCode   string `json:"unit_code"`
	Month      Month  `json:"period"`
	Measure    string `json:"measure"`
	Reported   int64  `json:"reported"`
	Computed   int64  `json:"computed"`
	ReportedBy string `json:"reported_by,omitempty"`
	Source     string `json:"reported_source,omitempty"`
}

// DossierResult is what a dossier export changed (or, dry or refused, would change).
type DossierResult struct {
	Rows       int  `json:"rows"`
	UnitMonths int  `json:"unit_months"`
	Identical  bool `json:"identical,omitempty"`
	// Changes are the self-reported figures replaced, or waiting for confirmation.
	Changes []DossierChange `json:"changes,omitempty"`
	// Unlisted are the procedures of the export's dossiers that the catalogue in force does
	// not hold, most dossiers first (at most UnlistedShown); UnlistedCodes counts them all.
	Unlisted      []ProcedureCount `json:"unlisted_procedures,omitempty"`
	UnlistedCodes int              `json:"unlisted_codes,omitempty"`
	// Submissions are the versions stored (or, dry, that would be).
	Submissions []Submission `json:"-"`
}

// errDryRun rolls a dry run back after every check passed.
var errDryRun = errors.New("dry run")

// endImport ends the transaction of a file's import once every check passed: a dry run
// rolls back (errDryRun); otherwise the file is kept just before the commit.
func endImport(dryRun bool, keep func() error) error {
	if dryRun {
		return errDryRun
	}
	if keep != nil {
		return keep()
	}
	return nil
}

// importError is what an import's transaction returned, as its caller sees it: a dry run
// rolled back is no error, a refusal (*Error) goes as it is, anything else says what.
func importError(err error, what string) error {
	if err == nil || errors.Is(err, errDryRun) {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	return fmt.Errorf("%s: %w", what, err)
}

// dossierNames lists at most a few dossier ids, for a message.
func dossierNames(ids []string, total int) string {
	s := strings.Join(ids, ", ")
	if total > len(ids) {
		s += ", …"
	}
	return s
}

// IngestDossiers loads a dossier export (CSV or Parquet, one row per dossier) from a
// file with DuckDB's own reader. A dossier is identified by its unit and dossier_id: an
// export replaces only the rows of the units it names, and those units must be the
// actor's. The touched unit-months whose measures change are stored as new versions,
// merged with their other measures; a locked month's figures may not change, and figures
// a unit reported itself change only with Confirm. All in one transaction.
func (s *Store) IngestDossiers(ctx context.Context, imp DossierImport) (DossierResult, error) {
	path, format, sha, actor, allow := imp.Path, imp.Format, imp.SHA256, imp.Actor, imp.Allow
	progress := imp.Progress
	if progress == nil {
		progress = func(string, int) {}
	}
	fileName := imp.FileName
	if fileName == "" {
		fileName = "dossiers." + format
	}
	now := imp.Now
	if now.IsZero() {
		now = time.Now()
	}
	nextMonth := MonthOf(now.In(vietnam)).Add(1)
	var res DossierResult
	if strings.ContainsAny(path, "'\x00") {
		return res, fmt.Errorf("%w: the file path may not contain a quote", ErrInvalid)
	}
	if sha == "" || strings.IndexFunc(sha, func(r rune) bool { return !('0' <= r && r <= '9' || 'a' <= r && r <= 'z' || r == '-') }) >= 0 {
		return res, fmt.Errorf("%w: %q is not a SHA-256", ErrInvalid, sha)
	}
	// DuckDB's errors name the file by its path on the server: readers see the name sent
	unreadable := func(err error) error {
		msg := strings.ReplaceAll(err.Error(), path, fileName)
		if i := strings.Index(msg, "\n"); i > 0 {
			msg = msg[:i]
		}
		return Errorf(ErrInvalid, "Tệp hồ sơ %s không đọc được: %s", "The dossier file %s cannot be read: %s", fileName, msg).WithCause(err)
	}
	read, err := s.dossierRead(ctx, format, path, fileName)
	if err != nil {
		var e *Error
		if errors.As(err, &e) {
			return res, err
		}
		return res, unreadable(err)
	}
	if format == "parquet" && imp.MaxRows > 0 {
		// the footer says how many rows there are: a small file can carry millions
		var n int64
		if err := s.db.QueryRowContext(ctx, fmt.Sprintf(`SELECT coalesce(sum(num_rows), 0) FROM parquet_file_metadata('%s')`, path)).Scan(&n); err != nil {
			return res, unreadable(err)
		}
		if n > int64(imp.MaxRows) {
			return res, tooManyDossiers(fileName, n, imp.MaxRows)
		}
	}
	err = s.changeInSteps(ctx, func(conn *sql.Conn) (err error) {
		src, err := sourceOf(ctx, conn, sha)
		if err != nil {
			return err
		}
		var n int
		if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM dossiers WHERE source = ? LIMIT 1)`, src.id).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			res.Identical = true
			return nil
		}
		var before int
		if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM dossiers LIMIT 1)`).Scan(&before); err != nil {
			return err
		}
		// The file is read once, straight into the table, and committed there pending (see
		// pendingDossiers): no read sees the rows until the last step accepts them, and a
		// refusal deletes them. The export's number goes in as a literal: with a parameter
		// the insert of 10 million rows took 8.3 s instead of 6.7 s here (one run each).
		s.markPending(src)
		err = inTx(ctx, conn, func(conn *sql.Conn) error {
			if _, err := conn.ExecContext(ctx, `INSERT INTO dossier_pending VALUES (?, ?)`, sha, time.Now().UTC()); err != nil {
				return err
			}
			ins, err := conn.ExecContext(ctx, `INSERT INTO dossiers (`+dossierTableColumns()+`, source) SELECT *, `+strconv.FormatInt(src.id, 10)+` FROM `+read)
			if err != nil {
				if strings.Contains(err.Error(), "NOT NULL constraint") {
					return Errorf(ErrInvalid, "Có hồ sơ thiếu mã hồ sơ, mã đơn vị hoặc thời điểm tiếp nhận", "Some dossiers lack an id, a unit or a time received").WithCause(err)
				}
				return unreadable(err)
			}
			if n, err := ins.RowsAffected(); err == nil {
				if imp.MaxRows > 0 && n > int64(imp.MaxRows) {
					return tooManyDossiers(fileName, n, imp.MaxRows)
				}
				progress("read", int(n))
			}
			return nil
		}, nil)
		if err != nil {
			return errors.Join(err, s.unmarkPending(src, nil)) // nothing was committed
		}
		accepted := false
		defer func() {
			if !accepted {
				if derr := s.dropPendingDossiers(ctx, conn, src); derr != nil {
					err = errors.Join(err, derr)
				}
			}
		}()
		var nbad, dups, nfuture int
		var bad, future string
		var units []any
		// The first bad row is looked for only when there is one.
		futureRow := `received_at >= ?::TIMESTAMP OR resolved_at >= ?::TIMESTAMP`
		err = conn.QueryRowContext(ctx, `SELECT count(*), count(*) FILTER (WHERE `+badDossier+`), count(*) FILTER (WHERE `+futureRow+`),
			list(DISTINCT unit_code) FILTER (WHERE unit_code IS NOT NULL)
			FROM dossiers WHERE source = ?`, nextMonth.Time(), nextMonth.Time(), src.id).
			Scan(&res.Rows, &nbad, &nfuture, &units)
		if err != nil {
			return err
		}
		if nbad > 0 || nfuture > 0 {
			err := conn.QueryRowContext(ctx, `SELECT coalesce(min(dossier_id) FILTER (WHERE `+badDossier+`), ''),
				coalesce(min(dossier_id) FILTER (WHERE `+futureRow+`), '') FROM dossiers WHERE source = ?`,
				nextMonth.Time(), nextMonth.Time(), src.id).Scan(&bad, &future)
			if err != nil {
				return err
			}
		}
		if nbad > 0 {
			return Errorf(ErrInvalid, "%d hồ sơ thiếu mã hồ sơ, mã đơn vị hoặc thời điểm tiếp nhận, có kênh khác online, direct, postal (hoặc mã 2, 1, 3), hoặc số lần yêu cầu bổ sung âm (đầu tiên: %q)",
				"%d dossiers lack an id, a unit or a time received, have a channel other than online, direct, postal (or the codes 2, 1, 3), or a negative supplement_requests (first: %q)", nbad, bad)
		}
		if nfuture > 0 {
			return Errorf(ErrInvalid, "%d hồ sơ có thời điểm tiếp nhận hoặc giải quyết sau tháng hiện tại %s (đầu tiên: %q)",
				"%d dossiers are received or resolved after the current month %s (first: %q)", nfuture, nextMonth.Add(-1), future)
		}
		// No two (unit, id) pairs alike: their 64-bit hashes, sorted, with no two neighbours
		// equal prove it; only when some are equal are the ids themselves compared. Sorting
		// took 0.8–1.0 s of 10M rows here where count(DISTINCT hash(…)) took 1.4–2.5 s
		// (a 10M-entry hash table), at half the CPU time.
		err = conn.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT h, lag(h) OVER (ORDER BY h) AS p
			FROM (SELECT hash(unit_code, dossier_id) AS h FROM dossiers WHERE source = ?)) WHERE h = p`, src.id).Scan(&dups)
		if err != nil {
			return err
		}
		if dups > 0 {
			var first string
			err := conn.QueryRowContext(ctx, `SELECT count(*) - count(DISTINCT (unit_code, dossier_id)), coalesce((SELECT min(dossier_id) FROM
				(SELECT dossier_id FROM dossiers WHERE source = ? GROUP BY unit_code, dossier_id HAVING count(*) > 1)), '')
				FROM dossiers WHERE source = ?`, src.id, src.id).Scan(&dups, &first)
			if err != nil {
				return err
			}
			if dups == 1 {
				return Errorf(ErrInvalid, "Mã hồ sơ %q xuất hiện hai lần trong tệp", "dossier id %q appears twice in the file", first)
			}
			if dups > 1 {
				return Errorf(ErrInvalid, "Có mã hồ sơ xuất hiện nhiều lần trong tệp, thừa %d dòng (đầu tiên: %q)",
					"dossier ids appear more than once in the file, %d rows too many (first: %q)", dups, first)
			}
		}
		touched := make([]string, 0, len(units))
		for _, u := range units {
			code, _ := u.(string)
			touched = append(touched, code)
		}
		slices.Sort(touched) // the first unknown unit named is always the same one
		agencies, err := agencyProvinces(ctx, conn)
		if err != nil {
			return err
		}
		var denied []string
		for _, code := range touched {
			if _, ok := s.ref.Latest(code); !ok && agencies[code] == "" {
				return Errorf(ErrInvalid, "Đơn vị %q không tồn tại", "unit %q does not exist", code)
			}
			if allow != nil && allow(code) != nil {
				denied = append(denied, code)
			}
		}
		if len(denied) > 0 {
			return s.deniedDossiers(ctx, conn, src.id, denied)
		}
		progress("checked", res.Rows)
		// rows of a locked month changed only in columns no figure shows (the 766 index's):
		// refused after the figures' own lock check, which names the figures
		var lockedRows *Error
		if before > 0 {
			if lockedRows, err = lockedDossierRows(ctx, conn, src.id); err != nil {
				return err
			}
		}
		if _, err := conn.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE dossier_units (unit_code VARCHAR, rollup VARCHAR)`); err != nil {
			return err
		}
		// a temporary table of this connection: a failed drop leaves it to the connection's end
		defer func() { _, _ = conn.ExecContext(context.WithoutCancel(ctx), `DROP TABLE IF EXISTS dossier_units`) }()
		from, into := s.dossierRollups(touched, agencies)
		if _, err := conn.ExecContext(ctx, `INSERT INTO dossier_units SELECT unnest(?::VARCHAR[]), unnest(?::VARCHAR[])`, from, into); err != nil {
			return err
		}
		if res.Unlisted, res.UnlistedCodes, err = s.unlistedProcedures(ctx, conn, src.id, now); err != nil {
			return err
		}
		// the rows are accepted with the versions they make, in one transaction whose commit
		// reads wait for (unmarkPending)
		err = inTx(ctx, conn, func(conn *sql.Conn) error {
			if before > 0 {
				// an export replaces the rows of the same dossiers of the same units, and no others
				// (the long copy holds none of this export's yet)
				if _, err := conn.ExecContext(ctx, `DELETE FROM dossiers d USING (SELECT unit_code, dossier_id FROM dossiers WHERE source = ?) n
				WHERE d.unit_code = n.unit_code AND d.dossier_id = n.dossier_id AND coalesce(d.source, 0) <> ?`, src.id, src.id); err != nil {
					return err
				}
				if _, err := conn.ExecContext(ctx, `DELETE FROM dossiers_long d USING (SELECT unit_code, dossier_id FROM dossiers WHERE source = ?) n
				WHERE d.unit_code = n.unit_code AND d.dossier_id = n.dossier_id`, src.id); err != nil {
					return err
				}
			}
			// the long ones' copy, which a period's 766 index reads for the dossiers received
			// long before it (migrations 022, 024)
			if _, err := conn.ExecContext(ctx, longCopySQL(`source = `+strconv.FormatInt(src.id, 10))); err != nil {
				return err
			}
			aggs, err := aggregateDossiers(ctx, conn)
			if err != nil {
				return err
			}
			progress("aggregated", len(aggs))
			subs, changes, err := s.dossierSubmissions(ctx, conn, aggs, agencies, sha, fileName, actor, now.UTC())
			if err != nil {
				return err
			}
			res.UnitMonths, res.Changes = len(subs), changes
			if len(changes) > 0 && !imp.Confirm {
				return Errorf(ErrConfirm, "Tệp hồ sơ sẽ thay %d số liệu đơn vị đã tự báo cáo; xem các khác biệt rồi gửi lại với xác nhận (confirm=true)",
					"The dossier export would replace %d figures the unit reported itself; review the differences, then send it again with confirm=true", len(changes))
			}
			if len(subs) > 0 {
				if err := s.lockedDossierMonths(ctx, conn, src.id, subs); err != nil {
					return err
				}
				if err := submitConn(ctx, conn, subs); err != nil {
					return err
				}
			}
			if lockedRows != nil {
				return lockedRows
			}
			if _, err := conn.ExecContext(ctx, `DELETE FROM dossier_pending WHERE source_sha256 = ?`, sha); err != nil {
				return err
			}
			res.Submissions = subs
			progress("stored", len(subs))
			return endImport(imp.DryRun, imp.Keep)
		}, func(commit func() error) error { return s.unmarkPending(src, commit) })
		if err != nil {
			return err
		}
		accepted = true
		return nil
	})
	return res, importError(err, "dossiers")
}

func tooManyDossiers(name string, n int64, max int) error {
	return Errorf(ErrInvalid, "Tệp %s có %d hồ sơ, quá giới hạn %d hồ sơ một tệp; chia tệp theo tháng", "The file %s holds %d dossiers, over the limit of %d a file; split it by month",
		name, n, max)
}

// deniedDossiers is the refusal of an export naming units the actor may not write,
// with how many rows name each and the first of them.
func (s *Store) deniedDossiers(ctx context.Context, conn *sql.Conn, src int64, denied []string) error {
	rows, err := conn.QueryContext(ctx, `SELECT unit_code, count(*), list(dossier_id ORDER BY dossier_id)[1:3] FROM dossiers
		WHERE source = ? AND unit_code IN (SELECT unnest(?::VARCHAR[])) GROUP BY 1 ORDER BY 1`, src, denied)
	if err != nil {
		return err
	}
	defer rows.Close()
	var vi, en []string
	for rows.Next() {
		var unit string
		var n int
		var first []any
		if err := rows.Scan(&unit, &n, &first); err != nil {
			return err
		}
		ids := make([]string, len(first))
		for i, v := range first {
			ids[i], _ = v.(string)
		}
		vi = append(vi, fmt.Sprintf("%s: %d hồ sơ (%s)", unit, n, dossierNames(ids, n)))
		en = append(en, fmt.Sprintf("%s: %d dossiers (%s)", unit, n, dossierNames(ids, n)))
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return &Error{Kind: ErrForbidden, VI: "Tệp có hồ sơ của đơn vị mà bạn không được ghi số liệu; không có gì được ghi. " + strings.Join(vi, "; "),
		EN: "The file holds dossiers of units whose data you may not write; nothing was written. " + strings.Join(en, "; ")}
}

// agencyProvinces maps every province's agency (01-SNV) to its province: agencies live
// in the database, not in the embedded registry.
func agencyProvinces(ctx context.Context, conn *sql.Conn) (map[string]string, error) {
	rows, err := conn.QueryContext(ctx, `SELECT code, province_code FROM agencies`)
	if err != nil {
		return nil, fmt.Errorf("agencies: %w", err)
	}
	out := map[string]string{}
	err = eachRow(rows, func() error {
		var code, p string
		if err := rows.Scan(&code, &p); err != nil {
			return err
		}
		out[code] = p
		return nil
	})
	return out, err
}

// dossierRollups says whose measures the rows of each unit count towards, as pairs
// (from[i]'s rows count for into[i]): each touched unit its own; and a province touched,
// or whose commune or agency is, is recomputed from its own rows and those of all its
// communes and agencies, touched or not, so that its figures stay the sums of the
// records wherever they were kept.
func (s *Store) dossierRollups(touched []string, agencies map[string]string) (from, into []string) {
	provinces := map[string]bool{}
	for _, code := range touched {
		from, into = append(from, code), append(into, code)
		if p := agencies[code]; p != "" {
			provinces[p] = true
		} else if u, ok := s.ref.Latest(code); ok && u.Group == Communes {
			provinces[u.Parent] = true
		} else if ok && u.Group == Provinces {
			provinces[code] = true
		}
	}
	ps := make([]string, 0, len(provinces))
	for p := range provinces {
		ps = append(ps, p)
	}
	slices.Sort(ps)
	for _, p := range ps {
		members := map[string]bool{p: true}
		for _, i := range s.ref.byParent[p] {
			members[s.ref.all[i].Code] = true // a renamed commune is listed twice, under one code
		}
		for a, ap := range agencies {
			if ap == p {
				members[a] = true
			}
		}
		for m := range members {
			if m == p && slices.Contains(touched, p) {
				continue // already its own
			}
			from, into = append(from, m), append(into, p)
		}
	}
	return from, into
}

type dossierAgg struct {
	unit string
	m    Month
	v    [10]int64
}

func aggregateDossiers(ctx context.Context, conn *sql.Conn) ([]dossierAgg, error) {
	rows, err := conn.QueryContext(ctx, aggregateSQL)
	if err != nil {
		return nil, fmt.Errorf("aggregate dossiers: %w", err)
	}
	defer rows.Close()
	var aggs []dossierAgg
	for rows.Next() {
		var a dossierAgg
		var t time.Time
		if err := rows.Scan(&a.unit, &t, &a.v[0], &a.v[1], &a.v[2], &a.v[3], &a.v[4], &a.v[5], &a.v[6], &a.v[7], &a.v[8], &a.v[9]); err != nil {
			return nil, err
		}
		a.m = MonthOf(t)
		aggs = append(aggs, a)
	}
	return aggs, rows.Err()
}

// dossierSubmissions turns the touched units' aggregates into the submissions that
// change something: a unit-month whose dossier measures differ from its current figures
// (its other measures kept). A month the dossiers no longer reach, whose figures came
// from dossiers, falls to zero. It also lists the figures a unit reported itself that
// would be replaced. The versions are stamped now, the import's time.
func (s *Store) dossierSubmissions(ctx context.Context, conn *sql.Conn, aggs []dossierAgg, agencies map[string]string, sha, fileName, actor string, now time.Time) ([]Submission, []DossierChange, error) {
	type current struct {
		vals   map[string]int64
		source string
		by     string
	}
	cur := map[string]*current{}
	crow, err := conn.QueryContext(ctx, `SELECT s.unit_code, s.month, s.source, coalesce(s.submitted_by, ''), v.measure, v.value
		FROM submissions s JOIN submission_values v ON v.submission_id = s.id
		WHERE s.status = 'current' AND s.unit_code IN (SELECT rollup FROM dossier_units)`)
	if err != nil {
		return nil, nil, err
	}
	for crow.Next() {
		var u, src, by, code string
		var t time.Time
		var v int64
		if err := crow.Scan(&u, &t, &src, &by, &code, &v); err != nil {
			crow.Close()
			return nil, nil, err
		}
		k := u + "|" + MonthOf(t).String()
		if cur[k] == nil {
			cur[k] = &current{vals: map[string]int64{}, source: src, by: by}
		}
		cur[k].vals[code] = v
	}
	crow.Close()
	if err := crow.Err(); err != nil {
		return nil, nil, err
	}
	seen := map[string]bool{}
	for _, a := range aggs {
		seen[a.unit+"|"+a.m.String()] = true
	}
	for k, c := range cur {
		if !seen[k] && c.source == "dossiers" {
			unit, month, _ := strings.Cut(k, "|")
			m, err := ParseMonth(month)
			if err != nil {
				return nil, nil, err
			}
			aggs = append(aggs, dossierAgg{unit: unit, m: m})
		}
	}
	slices.SortFunc(aggs, func(a, b dossierAgg) int { return strings.Compare(a.unit+a.m.String(), b.unit+b.m.String()) })
	var subs []Submission
	var changes []DossierChange
	for _, a := range aggs {
		unit := a.unit
		if p := agencies[unit]; p != "" {
			unit = p // an agency exists while its province does
		}
		if _, ok := s.ref.At(unit, a.m); !ok {
			return nil, nil, Errorf(ErrInvalid, "Có hồ sơ của đơn vị %s trong tháng %s, khi đơn vị chưa tồn tại hoặc đã hợp nhất",
				"dossiers of unit %s in %s, when it did not exist", a.unit, a.m)
		}
		c := cur[a.unit+"|"+a.m.String()]
		vals := map[string]int64{}
		if c != nil {
			for code, v := range c.vals {
				vals[code] = v
			}
		}
		changed := c == nil
		for i, code := range dossierMeasures {
			old, had := vals[code]
			if !had || old != a.v[i] {
				changed = true
				if had && c.source != "dossiers" {
					changes = append(changes, DossierChange{UnitCode: a.unit, Month: a.m, Measure: code, Reported: old, Computed: a.v[i],
						ReportedBy: c.by, Source: c.source})
				}
			}
			vals[code] = a.v[i]
		}
		if !changed {
			continue
		}
		subs = append(subs, Submission{UnitCode: a.unit, Month: a.m, Source: "dossiers", FileName: fileName,
			SHA256: sha, SubmittedBy: actor, SubmittedAt: now, Values: vals})
	}
	return subs, changes, nil
}

// lockedDossierMonths refuses an export that would change a locked month's figures,
// naming the unit, the month, the figures and the first dossiers of the file there.
func (s *Store) lockedDossierMonths(ctx context.Context, conn *sql.Conn, src int64, subs []Submission) error {
	// a month's lock looked up once: an export of 51 units over 16 months makes 816 versions
	open := map[Month]bool{}
	for _, sub := range subs {
		if open[sub.Month] {
			continue
		}
		l, ok, err := lockOf(ctx, conn, sub.Month)
		if err != nil {
			return err
		}
		if !ok {
			open[sub.Month] = true
			continue
		}
		var ids []any
		var n int
		from, to := sub.Month.Time(), sub.Month.Add(1).Time()
		if err := conn.QueryRowContext(ctx, `SELECT count(*), coalesce(list(dossier_id ORDER BY dossier_id)[1:3], []) FROM dossiers
			WHERE source = ? AND unit_code IN (SELECT unit_code FROM dossier_units WHERE rollup = ?)
			AND ((received_at >= ? AND received_at < ?) OR (resolved_at >= ? AND resolved_at < ?))`,
			src, sub.UnitCode, from, to, from, to).Scan(&n, &ids); err != nil {
			return err
		}
		names := make([]string, len(ids))
		for i, v := range ids {
			names[i], _ = v.(string)
		}
		return &Error{Kind: ErrMonthLocked,
			VI: fmt.Sprintf("Tháng %s đã bị %s khóa lúc %s; tệp sẽ làm thay đổi số liệu của đơn vị %s trong tháng này (%d hồ sơ của tệp: %s). Đề nghị Ban chỉ đạo mở lại tháng",
				sub.Month, l.LockedBy, l.LockedAt.In(vietnam).Format("15:04 02/01/2006"), sub.UnitCode, n, dossierNames(names, n)),
			EN: fmt.Sprintf("%s was locked by %s at %s; the file would change unit %s's figures for that month (%d dossiers of the file: %s). Ask the committee to reopen it",
				sub.Month, l.LockedBy, l.LockedAt.In(vietnam).Format("15:04 02/01/2006"), sub.UnitCode, n, dossierNames(names, n))}
	}
	return nil
}

// ExportDossiers writes the kept dossier rows as Parquet files partitioned by the month
// received (dir/month=YYYY-MM/…), which any engine reads, and says how many rows it wrote.
func (s *Store) ExportDossiers(ctx context.Context, dir string) (int64, error) {
	if strings.ContainsAny(dir, "'\x00") {
		return 0, fmt.Errorf("%w: the folder may not contain a quote", ErrInvalid)
	}
	kept, done := s.dossierView()
	defer done()
	r, err := s.db.ExecContext(ctx, fmt.Sprintf(`COPY (SELECT * EXCLUDE (source), strftime(received_at, '%%Y-%%m') AS month FROM dossiers WHERE %s)
		TO '%s' (FORMAT PARQUET, PARTITION_BY (month), OVERWRITE_OR_IGNORE)`, kept, dir))
	if err != nil {
		return 0, fmt.Errorf("export dossiers: %w", err)
	}
	return r.RowsAffected()
}

// DossiersImported reports whether rows of an export with this SHA-256 are stored (and
// accepted: not while its import runs).
func (s *Store) DossiersImported(ctx context.Context, sha string) (bool, error) {
	var n int
	kept, done := s.dossierView()
	defer done()
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM dossiers
		WHERE source = (SELECT source FROM dossier_sources WHERE source_sha256 = ?) AND `+kept, sha).Scan(&n)
	return n > 0, err
}
