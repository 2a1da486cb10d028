package data

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// unitMonth keys what is kept in versions: one unit's figures for one month.
type unitMonth struct {
	unit  string
	month Month
}

// stamp is what a versioned write gives one entry of its batch.
type stamp struct {
	id      int64
	version int
	status  string
}

// versioned is the one algorithm behind every table kept in versions per unit and month
// (submissions, assessments), run inside the caller's transaction before it appends the
// entries' rows: a locked month takes no write; each entry gets the table's next id and
// the next version of its unit and month; of a unit-month's entries in one batch the last
// is current and the earlier ones superseded; what was current before is marked
// superseded. It returns the stamps in the batch's order and, per unit-month of the batch
// that had one, the id that was current before (for the audit's old → new). table is one
// of this package's constant table names, never user input.
func versioned(ctx context.Context, conn *sql.Conn, table string, keys []unitMonth) ([]stamp, map[unitMonth]int64, error) {
	if len(keys) == 0 {
		return nil, nil, nil
	}
	lo, hi := keys[0].month, keys[0].month
	months := map[Month]bool{}
	inBatch := map[unitMonth]bool{}
	for _, k := range keys {
		lo, hi = min(lo, k.month), max(hi, k.month)
		months[k.month] = true
		inBatch[k] = true
	}
	for m := range months {
		if l, ok, err := lockOf(ctx, conn, m); err != nil {
			return nil, nil, err
		} else if ok {
			return nil, nil, monthLocked(l)
		}
	}
	last := map[unitMonth]int{}
	was := map[unitMonth]int64{}
	// the month range lets DuckDB skip the row groups of other months
	rows, err := conn.QueryContext(ctx, `SELECT unit_code, month, max(version), coalesce(max(id) FILTER (WHERE status = 'current'), 0)
		FROM `+table+` WHERE month BETWEEN ? AND ? GROUP BY ALL`, lo.Time(), hi.Time())
	if err != nil {
		return nil, nil, fmt.Errorf("%s versions: %w", table, err)
	}
	err = eachRow(rows, func() error {
		var k unitMonth
		var t time.Time
		var v int
		var id int64
		if err := rows.Scan(&k.unit, &t, &v, &id); err != nil {
			return err
		}
		k.month = MonthOf(t)
		last[k] = v
		if id != 0 && inBatch[k] {
			was[k] = id
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("%s versions: %w", table, err)
	}
	var next int64
	if err := conn.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) + 1 FROM `+table).Scan(&next); err != nil {
		return nil, nil, fmt.Errorf("%s ids: %w", table, err)
	}
	stamps := make([]stamp, len(keys))
	latest := map[unitMonth]int{}
	for i, k := range keys {
		last[k]++
		stamps[i] = stamp{id: next, version: last[k], status: StatusCurrent}
		next++
		if j, ok := latest[k]; ok {
			stamps[j].status = StatusSuperseded
		}
		latest[k] = i
	}
	if len(was) > 0 {
		ids := make([]int64, 0, len(was))
		for _, id := range was {
			ids = append(ids, id)
		}
		if _, err := conn.ExecContext(ctx, `UPDATE `+table+` SET status = 'superseded' WHERE id IN (SELECT unnest(?::BIGINT[]))`, ids); err != nil {
			return nil, nil, fmt.Errorf("supersede %s: %w", table, err)
		}
	}
	return stamps, was, nil
}

// monthLocked is the refusal of a write into a locked month, in both languages.
func monthLocked(l Lock) error {
	at := l.LockedAt.In(vietnam).Format("15:04 02/01/2006")
	return &Error{Kind: ErrMonthLocked,
		VI: fmt.Sprintf("Tháng %02d/%d đã bị %s khóa lúc %s; đề nghị Ban chỉ đạo mở lại tháng", l.Month.Num(), l.Month.Year(), l.LockedBy, at),
		EN: fmt.Sprintf("%s was locked by %s at %s; ask the committee to reopen it", l.Month, l.LockedBy, at)}
}
