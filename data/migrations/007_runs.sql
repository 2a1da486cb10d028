-- Every run of a scheduled source: when, how it ended, how many rows.
CREATE TABLE ingest_runs (
    id          BIGINT PRIMARY KEY,
    source      VARCHAR NOT NULL,
    started_at  TIMESTAMP NOT NULL,
    finished_at TIMESTAMP,
    outcome     VARCHAR NOT NULL,   -- ok | unchanged | rejected | failed | skipped
    rows        INTEGER NOT NULL DEFAULT 0,
    message     VARCHAR
);

-- Dossier-level records from the one-stop systems, replaced by dossier_id.
CREATE TABLE dossiers (
    dossier_id     VARCHAR NOT NULL,
    unit_code      VARCHAR NOT NULL,
    procedure_code VARCHAR,
    channel        VARCHAR,
    received_at    TIMESTAMP NOT NULL,
    due_at         TIMESTAMP,
    resolved_at    TIMESTAMP,
    digitized      BOOLEAN,
    fee_required   BOOLEAN,
    paid_online    BOOLEAN,
    rating         VARCHAR,
    source_sha256  VARCHAR
);
