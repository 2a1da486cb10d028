// Package data is egovkpi's data model and its one store: the domain types (units and
// their history across the 2025 mergers, months and periods, measures, submissions,
// dossier records, the procedure catalogue, feedback, surveys, users and the audit log),
// the reference data embedded from the official lists (provinces, ministries, communes,
// days off), and the DuckDB file that holds everything. It is the only package that opens
// the database.
//
// Where to look:
//   - store.go opens the file and applies the numbered migrations (migrations/*.sql);
//     write.go is the one way the store writes (Store.change: the writer lock, one
//     transaction, the data version moved after the commit); scan.go reads rows.
//   - errors.go holds the error kinds every layer maps from, and Error, a message in
//     Vietnamese and English.
//   - units.go, communes.go and agencies.go: who reports; period.go and calendar.go: when.
//   - submissions.go: monthly figures as versions, superseded never deleted; sums.go and
//     unitsums.go read them for the metrics.
//   - dossiers.go, dossiers_read.go and dossiers_late.go: dossier-level records, owned by
//     their unit, aggregated into the monthly measures; records766.go and index766.go:
//     what the official index (Decision 766) needs.
//   - users.go, sessions.go, tokens.go, signins.go, locks.go and audit.go: who may do what,
//     and the record of what was done.
package data
