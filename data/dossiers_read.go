package data

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/csv"
	"fmt"
	"os"
	"strings"
	"time"
)

// dossierColumn is a column of a dossier export and of the dossiers table.
type dossierColumn struct {
	name, typ string
	optional  bool // issue 17's columns: an older export without them still loads (NULL)
}

// dossierSchema lists the columns an export may carry, in the table's order. The first
// eleven are the original export's and required; the rest are the index of Decision
// 766's (issue 17), each optional.
var dossierSchema = []dossierColumn{
	{"dossier_id", "VARCHAR", false}, {"unit_code", "VARCHAR", false}, {"procedure_code", "VARCHAR", false},
	{"channel", "VARCHAR", false}, {"received_at", "TIMESTAMP", false}, {"due_at", "TIMESTAMP", false},
	{"resolved_at", "TIMESTAMP", false}, {"digitized", "BOOLEAN", false}, {"fee_required", "BOOLEAN", false},
	{"paid_online", "BOOLEAN", false}, {"rating", "VARCHAR", false},
	{"supplement_requests", "INTEGER", true}, {"supplement_requested_at", "TIMESTAMP", true},
	{"supplement_completed_at", "TIMESTAMP", true}, {"electronic_result", "BOOLEAN", true}, {"synced", "BOOLEAN", true},
	{"reused_data", "BOOLEAN", true}, {"citizen_store", "BOOLEAN", true}, {"vneid", "BOOLEAN", true}, {"complaint", "BOOLEAN", true},
}

// dossierTableColumns is the schema's column list, for an INSERT that names them (the
// table has the export's number, source, after them).
func dossierTableColumns() string {
	names := make([]string, len(dossierSchema))
	for i, c := range dossierSchema {
		names[i] = c.name
	}
	return strings.Join(names, ", ")
}

// channelExpr reads the portal's channel codes (1 direct, 2 online, 3 postal) as the words
// the table keeps, so that every query compares words only. A channel written as a word is
// taken as it is: trimming every row's channel to look for a code cost 1.0–1.8 CPU-s
// of a 10M-row read here (a twentieth of it), the test of the three words a tenth of that.
const channelExpr = `CASE WHEN channel::VARCHAR IN ('online', 'direct', 'postal') THEN channel::VARCHAR
	ELSE CASE trim(channel::VARCHAR) WHEN '1' THEN 'direct' WHEN '2' THEN 'online' WHEN '3' THEN 'postal' ELSE channel::VARCHAR END END`

// dossierRead is the SELECT that reads an export as the schema's columns, in the schema's
// order: a column the file lacks is NULL, or, if required, an error naming it. The file's
// own column names are read first (the CSV header, the Parquet schema), so that a column
// is found by its name wherever it stands. The path has been checked for quotes.
func (s *Store) dossierRead(ctx context.Context, format, path, fileName string) (string, error) {
	var have []string
	var source string
	switch format {
	case "csv":
		head, err := csvHeader(path)
		if err != nil {
			return "", err
		}
		known := map[string]string{}
		for _, c := range dossierSchema {
			known[c.name] = c.typ
		}
		seen := map[string]bool{}
		types := make([]string, len(head))
		for i, h := range head {
			typ, ok := known[h]
			if !ok {
				return "", Errorf(ErrInvalid, "Tệp hồ sơ %s, dòng 1, cột %d: cột %q không có trong mẫu (các cột: %s)",
					"The dossier file %s, row 1, column %d: %q is not a dossier column (the columns: %s)", fileName, i+1, h, dossierTableColumns())
			}
			if seen[h] {
				return "", Errorf(ErrInvalid, "Tệp hồ sơ %s, dòng 1, cột %d: cột %q lặp lại", "The dossier file %s, row 1, column %d: %q appears twice",
					fileName, i+1, h)
			}
			seen[h] = true
			types[i] = fmt.Sprintf("'%s': '%s'", h, typ)
		}
		have = head
		// the explicit columns keep DuckDB from guessing types, in the file's own order
		source = fmt.Sprintf(`read_csv('%s', header = true, columns = {%s})`, path, strings.Join(types, ", "))
	case "parquet":
		rows, err := s.db.QueryContext(ctx, fmt.Sprintf(`SELECT column_name FROM (DESCRIBE SELECT * FROM read_parquet('%s'))`, path))
		if err != nil {
			return "", err
		}
		defer rows.Close()
		for rows.Next() {
			var n string
			if err := rows.Scan(&n); err != nil {
				return "", err
			}
			have = append(have, n)
		}
		if err := rows.Err(); err != nil {
			return "", err
		}
		source = fmt.Sprintf(`read_parquet('%s')`, path)
	default:
		return "", fmt.Errorf("%w: dossier format %q: use csv or parquet", ErrInvalid, format)
	}
	present := map[string]bool{}
	for _, h := range have {
		present[h] = true
	}
	sel := make([]string, len(dossierSchema))
	for i, c := range dossierSchema {
		switch {
		case !present[c.name] && !c.optional:
			return "", Errorf(ErrInvalid, "Tệp hồ sơ %s thiếu cột %q", "The dossier file %s lacks the column %q", fileName, c.name)
		case !present[c.name]:
			sel[i] = fmt.Sprintf("NULL::%s AS %s", c.typ, c.name)
		case c.name == "channel":
			sel[i] = channelExpr + " AS channel"
		default:
			sel[i] = fmt.Sprintf("%s::%s AS %s", c.name, c.typ, c.name)
		}
	}
	return "(SELECT " + strings.Join(sel, ", ") + " FROM " + source + ")", nil
}

// csvHeader reads a CSV file's first row, without a byte-order mark, each name trimmed.
func csvHeader(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }() // read only
	r := csv.NewReader(bufio.NewReader(f))
	head, err := r.Read()
	if err != nil {
		return nil, err
	}
	for i, h := range head {
		head[i] = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
	}
	return head, nil
}

// lockedDossierRows finds what an export (its rows already in the table under src, the
// rows it replaces still there) would change in a locked month beyond the figures that
// lockedDossierMonths guards: a dossier of that month (received or resolved in it) added,
// removed from it, or with any column changed — the 766 index's columns included, which
// no unit-month figure shows. The refusal names the month, the unit and the first
// dossiers; nil when nothing locked changes. Only the rows of locked months are compared.
func lockedDossierRows(ctx context.Context, conn *sql.Conn, src int64) (*Error, error) {
	var locks int
	if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM month_locks`).Scan(&locks); err != nil || locks == 0 {
		return nil, err
	}
	const inLocked = `(date_trunc('month', received_at)::DATE IN (SELECT month FROM month_locks)
		OR date_trunc('month', resolved_at)::DATE IN (SELECT month FROM month_locks))`
	rows, err := conn.QueryContext(ctx, `WITH
		n AS (SELECT * EXCLUDE (source) FROM dossiers WHERE source = ? AND `+inLocked+`),
		o AS (SELECT d.* EXCLUDE (source) FROM dossiers d SEMI JOIN (SELECT unit_code, dossier_id FROM dossiers WHERE source = ?)
			USING (unit_code, dossier_id) WHERE coalesce(d.source, 0) <> ? AND `+inLocked+`),
		changed AS ((SELECT * FROM n EXCEPT SELECT * FROM o) UNION ALL (SELECT * FROM o EXCEPT SELECT * FROM n))
		SELECT l.month, any_value(l.locked_by), any_value(l.locked_at), c.unit_code, count(DISTINCT c.dossier_id),
			list(DISTINCT c.dossier_id ORDER BY c.dossier_id)[1:3]
		FROM changed c JOIN month_locks l ON l.month = date_trunc('month', c.received_at)::DATE OR l.month = date_trunc('month', c.resolved_at)::DATE
		GROUP BY l.month, c.unit_code ORDER BY 1, 4 LIMIT 1`, src, src, src)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	if !rows.Next() {
		return nil, rows.Err()
	}
	var m, at time.Time
	var by, unit string
	var n int
	var ids []any
	if err := rows.Scan(&m, &by, &at, &unit, &n, &ids); err != nil {
		return nil, err
	}
	names := make([]string, len(ids))
	for i, v := range ids {
		names[i], _ = v.(string)
	}
	month := MonthOf(m)
	return &Error{Kind: ErrMonthLocked,
		VI: fmt.Sprintf("Tháng %s đã bị %s khóa lúc %s; tệp sẽ thay đổi %d hồ sơ của đơn vị %s trong tháng này (%s), làm thay đổi chỉ số 766 của tháng. Đề nghị Ban chỉ đạo mở lại tháng",
			month, by, at.In(vietnam).Format("15:04 02/01/2006"), n, unit, dossierNames(names, n)),
		EN: fmt.Sprintf("%s was locked by %s at %s; the file would change %d dossiers of unit %s in that month (%s), and so its 766 index. Ask the committee to reopen it",
			month, by, at.In(vietnam).Format("15:04 02/01/2006"), n, unit, dossierNames(names, n))}, nil
}
