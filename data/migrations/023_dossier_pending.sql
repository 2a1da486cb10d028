-- Issue 17's speed: a dossier export's rows are committed before they are checked, then
-- accepted or deleted (data/dossiers_pending.go). An export named here is still being
-- imported: every read leaves its rows out, and the store, opening, deletes the rows of
-- one a stopped process left behind.
CREATE TABLE dossier_pending (
    source_sha256 VARCHAR PRIMARY KEY,
    started_at    TIMESTAMPTZ NOT NULL
);
