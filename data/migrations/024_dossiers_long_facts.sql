-- Issue 17's speed: the long dossiers' copy (migration 022) keeps only what the 766 index
-- reads of them (the procedure, the dates, the supplement request and the yes/no facts
-- packed into one integer, rf) and the id an export replaces them by. Copying every column
-- took 1.3–1.6 s of a 10M-row import. The facts are packed by the code (data/index766.go,
-- rowFacts), so the store fills the table when it opens and finds it packed otherwise than
-- its own (data/dossiers_long.go): this migration leaves it empty.
DROP TABLE dossiers_long;
CREATE TABLE dossiers_long (
    unit_code               VARCHAR NOT NULL,
    dossier_id              VARCHAR NOT NULL,
    procedure_code          VARCHAR,
    received_at             TIMESTAMP NOT NULL,
    due_at                  TIMESTAMP,
    resolved_at             TIMESTAMP,
    supplement_requests     INTEGER,
    supplement_requested_at TIMESTAMP,
    supplement_completed_at TIMESTAMP,
    rf                      INTEGER NOT NULL
);
