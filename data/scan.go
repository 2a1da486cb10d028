package data

import "database/sql"

// eachRow calls scan for every row and closes rows: a failed Scan, or an iteration that
// ended on an error rather than at the last row, is the error. scan reads the current row
// with rows.Scan.
func eachRow(rows *sql.Rows, scan func() error) error {
	defer rows.Close()
	for rows.Next() {
		if err := scan(); err != nil {
			return err
		}
	}
	return rows.Err()
}
