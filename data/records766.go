package data

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"
)

// The records of the index of Decision 766 (issue 17) besides dossiers: the procedure
// catalogue, in versions, and citizen feedback. Both come in through ingest.Ingester.Ingest
// like every other file; this file stores them.

// CatalogueEntry is one procedure of a catalogue file, checked by the ingester. Dates are
// midnight in Viet Nam time; a zero date is an empty cell.
type CatalogueEntry struct {
	Line               int // the row in the file
	Code               string
	NameVI             string
	Level              string // province | commune | ministry
	UnitCode           string // empty: every unit of the level
	MaxProcessing      *float64
	MaxUnit            string // hours | days | working_days
	Online             string // none | partial | full
	FullOnlineEligible bool
	PaperResult        bool
	Fee                bool
	PaymentIntegrated  bool
	AnnouncedOn        time.Time
	EffectiveOn        time.Time
	PublishedOn        time.Time
	ComponentsComplete *bool
	ValidFrom, ValidTo time.Time
}

// CatalogueImport is one catalogue file: a new version, in force from InForceFrom.
type CatalogueImport struct {
	SHA256      string
	FileName    string
	Actor       string
	At          time.Time // when it was accepted (rebuild replays it with its first time)
	InForceFrom time.Time // the version's first day: At's date in Viet Nam time when zero
	Entries     []CatalogueEntry
	// Keep, when set, runs just before the commit (it keeps the file); an error rolls
	// everything back.
	Keep func() error
}

// CatalogueVersion is one stored version of the catalogue.
type CatalogueVersion struct {
	ID          int64     `json:"id"`
	InForceFrom time.Time `json:"in_force_from"`
	FileName    string    `json:"file_name"`
	ImportedBy  string    `json:"imported_by"`
	ImportedAt  time.Time `json:"imported_at"`
	Rows        int       `json:"rows"`
}

// ImportCatalogue stores a catalogue as a new version, whole or not at all.
func (s *Store) ImportCatalogue(ctx context.Context, imp CatalogueImport) (CatalogueVersion, error) {
	v := CatalogueVersion{FileName: imp.FileName, ImportedBy: imp.Actor, ImportedAt: imp.At.UTC(), Rows: len(imp.Entries)}
	from := imp.InForceFrom
	if from.IsZero() {
		y, m, d := imp.At.In(vietnam).Date()
		from = time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	}
	v.InForceFrom = from
	err := s.change(ctx, changesData, func(tx *sql.Conn) error {
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) + 1 FROM procedure_catalogues`).Scan(&v.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO procedure_catalogues VALUES (?, ?, ?, ?, ?, ?, ?)`, v.ID, dateOnly(from), imp.FileName,
			imp.SHA256, imp.Actor, v.ImportedAt, len(imp.Entries)); err != nil {
			return err
		}
		rows := make([][]any, len(imp.Entries))
		for i, e := range imp.Entries {
			var maxp, comp any
			if e.MaxProcessing != nil {
				maxp = *e.MaxProcessing
			}
			if e.ComponentsComplete != nil {
				comp = *e.ComponentsComplete
			}
			rows[i] = []any{v.ID, e.Line, e.Code, e.NameVI, e.Level, nullString(e.UnitCode), maxp, nullString(e.MaxUnit), e.Online,
				e.FullOnlineEligible, e.PaperResult, e.Fee, e.PaymentIntegrated, nullDate(e.AnnouncedOn), nullDate(e.EffectiveOn),
				nullDate(e.PublishedOn), comp, nullDate(e.ValidFrom), nullDate(e.ValidTo)}
		}
		if err := insertRows(ctx, tx, "procedures", 19, rows); err != nil {
			return err
		}
		if imp.Keep != nil {
			return imp.Keep()
		}
		return nil
	})
	if err != nil {
		return v, fmt.Errorf("catalogue: %w", err)
	}
	return v, nil
}

// CatalogueImported reports whether a catalogue file with this SHA-256 is stored.
func (s *Store) CatalogueImported(ctx context.Context, sha string) (bool, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM procedure_catalogues WHERE source_sha256 = ?`, sha).Scan(&n)
	return n > 0, err
}

// CatalogueVersions lists the stored versions, the oldest first.
func (s *Store) CatalogueVersions(ctx context.Context) ([]CatalogueVersion, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, in_force_from, file_name, coalesce(imported_by, ''), imported_at, rows
		FROM procedure_catalogues ORDER BY in_force_from, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []CatalogueVersion
	for rows.Next() {
		var v CatalogueVersion
		if err := rows.Scan(&v.ID, &v.InForceFrom, &v.FileName, &v.ImportedBy, &v.ImportedAt, &v.Rows); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// CatalogueFor is the id of the catalogue version in force on day (a date, Viet Nam
// time): the latest imported from that day or before. Choice: before the first version,
// the first one stands in (a catalogue imported today is the best knowledge of the
// months before it), so that the index of past months is not without procedures merely
// because the catalogue came later. 0 when there is none.
func (s *Store) CatalogueFor(ctx context.Context, day time.Time) (int64, error) {
	var id int64
	err := s.db.QueryRowContext(ctx, `SELECT coalesce(
		(SELECT id FROM procedure_catalogues WHERE in_force_from <= ? ORDER BY in_force_from DESC, id DESC LIMIT 1),
		(SELECT id FROM procedure_catalogues ORDER BY in_force_from, id LIMIT 1), 0)`, dateOnly(day)).Scan(&id)
	return id, err
}

// FeedbackRecord is one piece of citizen feedback, checked by the ingester. Times are
// wall-clock Viet Nam time; a zero time is an empty cell.
type FeedbackRecord struct {
	Line       int
	ID         string
	UnitCode   string
	ReceivedAt time.Time
	Classified bool
	HandledAt  time.Time
	Outcome    string // handled | refused | supplement_requested | open, or empty
	Disliked   bool
}

// FeedbackImport is one feedback file.
type FeedbackImport struct {
	SHA256   string
	FileName string
	Actor    string
	At       time.Time
	Records  []FeedbackRecord
	// Allow, when set, refuses units the actor may not write, before anything is written.
	Allow func(unit string) error
	// Now is the time the file is judged at (zero: the clock): records dated after its
	// month are refused.
	Now    time.Time
	DryRun bool
	Keep   func() error
}

// FeedbackResult is what a feedback file changed (or, dry, would change).
type FeedbackResult struct {
	Rows      int      `json:"rows"`
	Units     []string `json:"units"`
	Replaced  int      `json:"replaced"` // records of the same units and ids stored before
	Identical bool     `json:"identical,omitempty"`
}

// ImportFeedback stores feedback records as dossiers are stored: a record is identified by
// its unit and id and replaced only within its unit; the units must exist and be the
// actor's; records dated after the current month are refused; a new or changed record
// received or handled in a locked month is refused, naming the month and the records.
// All in one transaction.
func (s *Store) ImportFeedback(ctx context.Context, imp FeedbackImport) (FeedbackResult, error) {
	var res FeedbackResult
	now := imp.Now
	if now.IsZero() {
		now = time.Now()
	}
	nextMonth := MonthOf(now.In(vietnam)).Add(1)
	units := map[string][]string{}
	for _, r := range imp.Records {
		units[r.UnitCode] = append(units[r.UnitCode], r.ID)
		if !wall(r.ReceivedAt).Before(nextMonth.Time()) || (!r.HandledAt.IsZero() && !wall(r.HandledAt).Before(nextMonth.Time())) {
			return res, Errorf(ErrInvalid, "Tệp %s, dòng %d: phản ánh %q được nhận hoặc xử lý sau tháng hiện tại %s",
				"%s, row %d: feedback %q is received or handled after the current month %s", imp.FileName, r.Line, r.ID, nextMonth.Add(-1))
		}
	}
	for u := range units {
		res.Units = append(res.Units, u)
	}
	slices.Sort(res.Units)
	var denied, vi, en []string
	for _, u := range res.Units {
		if _, ok := s.ref.Latest(u); !ok {
			return res, Errorf(ErrInvalid, "Đơn vị %q không tồn tại", "unit %q does not exist", u)
		}
		if imp.Allow != nil && imp.Allow(u) != nil {
			ids := units[u]
			denied = append(denied, u)
			vi = append(vi, fmt.Sprintf("%s: %d phản ánh (%s)", u, len(ids), dossierNames(ids[:min(3, len(ids))], len(ids))))
			en = append(en, fmt.Sprintf("%s: %d records (%s)", u, len(ids), dossierNames(ids[:min(3, len(ids))], len(ids))))
		}
	}
	if len(denied) > 0 {
		return res, &Error{Kind: ErrForbidden, VI: "Tệp có phản ánh của đơn vị mà bạn không được ghi số liệu; không có gì được ghi. " + strings.Join(vi, "; "),
			EN: "The file holds feedback of units whose data you may not write; nothing was written. " + strings.Join(en, "; ")}
	}
	res.Rows = len(imp.Records)
	err := s.change(ctx, changesData, func(conn *sql.Conn) error {
		var n int
		if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM feedback_imports WHERE source_sha256 = ?`, imp.SHA256).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			res.Identical = true
			return nil
		}
		if _, err := conn.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE feedback_new AS SELECT * FROM feedback LIMIT 0`); err != nil {
			return err
		}
		// a temporary table of this connection: a failed drop leaves it to the connection's end
		defer func() { _, _ = conn.ExecContext(context.WithoutCancel(ctx), `DROP TABLE IF EXISTS feedback_new`) }()
		rows := make([][]any, len(imp.Records))
		for i, r := range imp.Records {
			rows[i] = []any{r.ID, r.UnitCode, wall(r.ReceivedAt), r.Classified, nullTime(r.HandledAt), nullString(r.Outcome), r.Disliked, imp.SHA256}
		}
		if err := insertRows(ctx, conn, "feedback_new", 8, rows); err != nil {
			return err
		}
		// new or changed records that fall in a locked month
		lrows, err := conn.QueryContext(ctx, `SELECT l.month, any_value(l.locked_by), any_value(l.locked_at), count(*), list(c.feedback_id ORDER BY c.feedback_id)[1:3]
			FROM (SELECT * EXCLUDE (source_sha256) FROM feedback_new EXCEPT SELECT * EXCLUDE (source_sha256) FROM feedback) c
			JOIN month_locks l ON l.month = date_trunc('month', c.received_at) OR l.month = date_trunc('month', c.handled_at)
			GROUP BY l.month ORDER BY l.month LIMIT 1`)
		if err != nil {
			return err
		}
		defer lrows.Close()
		if lrows.Next() {
			var m, at time.Time
			var by string
			var k int
			var ids []any
			if err := lrows.Scan(&m, &by, &at, &k, &ids); err != nil {
				return err
			}
			names := make([]string, len(ids))
			for i, v := range ids {
				names[i], _ = v.(string)
			}
			return &Error{Kind: ErrMonthLocked,
				VI: fmt.Sprintf("Tháng %s đã bị %s khóa lúc %s; tệp sẽ thay đổi %d phản ánh của tháng này (%s). Đề nghị Ban chỉ đạo mở lại tháng",
					MonthOf(m), by, at.In(vietnam).Format("15:04 02/01/2006"), k, dossierNames(names, k)),
				EN: fmt.Sprintf("%s was locked by %s at %s; the file would change %d feedback records of that month (%s). Ask the committee to reopen it",
					MonthOf(m), by, at.In(vietnam).Format("15:04 02/01/2006"), k, dossierNames(names, k))}
		}
		if err := lrows.Err(); err != nil {
			return err
		}
		lrows.Close()
		del, err := conn.ExecContext(ctx, `DELETE FROM feedback f USING feedback_new n WHERE f.unit_code = n.unit_code AND f.feedback_id = n.feedback_id`)
		if err != nil {
			return err
		}
		if k, err := del.RowsAffected(); err == nil {
			res.Replaced = int(k)
		}
		if _, err := conn.ExecContext(ctx, `INSERT INTO feedback SELECT * FROM feedback_new`); err != nil {
			return err
		}
		if _, err := conn.ExecContext(ctx, `INSERT INTO feedback_imports VALUES (?, ?, ?, ?, ?)`, imp.SHA256, imp.FileName, imp.Actor,
			imp.At.UTC(), len(imp.Records)); err != nil {
			return err
		}
		return endImport(imp.DryRun, imp.Keep)
	})
	return res, importError(err, "feedback")
}

// FeedbackImported reports whether a feedback file with this SHA-256 is stored.
func (s *Store) FeedbackImported(ctx context.Context, sha string) (bool, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM feedback_imports WHERE source_sha256 = ?`, sha).Scan(&n)
	return n > 0, err
}

// insertRows inserts rows of width values into table, a few hundred per statement, every
// value a parameter. table is one of this file's constants.
func insertRows(ctx context.Context, q execer, table string, width int, rows [][]any) error {
	const batch = 200
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", width), ", ") + ")"
	for lo := 0; lo < len(rows); lo += batch {
		hi := min(lo+batch, len(rows))
		args := make([]any, 0, (hi-lo)*width)
		for _, r := range rows[lo:hi] {
			args = append(args, r...)
		}
		stmt := "INSERT INTO " + table + " VALUES " + strings.TrimSuffix(strings.Repeat(one+", ", hi-lo), ", ")
		if _, err := q.ExecContext(ctx, stmt, args...); err != nil {
			return err
		}
	}
	return nil
}

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return wall(t)
}

// nullDate is t's date as DuckDB reads a DATE parameter, or NULL.
func nullDate(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return dateOnly(t)
}

// wall is t's wall clock in Viet Nam time as a UTC instant: the tables keep naive
// timestamps, read as Viet Nam time.
func wall(t time.Time) time.Time {
	l := t.In(vietnam)
	return time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), l.Minute(), l.Second(), l.Nanosecond(), time.UTC)
}

// dateOnly is t's date in Viet Nam time, at midnight UTC.
func dateOnly(t time.Time) time.Time {
	y, m, d := t.In(vietnam).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
