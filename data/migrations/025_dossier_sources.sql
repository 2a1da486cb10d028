-- Issue 17's speed: a dossier row names the export it came from by a number, not by the
-- export's SHA-256 repeated on every row. Storing the same 64-character string ten million
-- times cost about a twentieth of a 10M-row export's read (2M rows: 3.77 s with the string,
-- 3.54 s with a number, median of 8), and every step that finds an export's rows compared
-- it again. dossier_sources numbers the exports; dossier_pending keeps naming them by
-- their SHA-256 (a swept export's number is found here).
--
-- The text columns say how they are compressed, as DuckDB chose for them (dictionary for
-- the few units, procedures, channels and ratings; FSST for the ids, each one of a kind):
-- left to choose, it tried every method on every segment of every column as it wrote,
-- and a 10M-row read took 14.3–17.1 s (26.6–31.0 CPU-s) instead of 12.2–14.1 s
-- (22.2–25.9 CPU-s), the file the same 248 MB (4 runs each, alternating). The long
-- dossiers' copy likewise: 1M rows 1.07–1.12 s → 0.74–0.98 s.
CREATE TABLE dossier_sources (
    source        INTEGER PRIMARY KEY,
    source_sha256 VARCHAR NOT NULL UNIQUE
);
INSERT INTO dossier_sources
SELECT row_number() OVER (ORDER BY source_sha256), source_sha256 FROM (
    SELECT source_sha256 FROM dossiers WHERE source_sha256 IS NOT NULL
    UNION SELECT source_sha256 FROM dossier_pending);
CREATE TABLE dossiers_by_source (
    dossier_id              VARCHAR USING COMPRESSION fsst NOT NULL,
    unit_code               VARCHAR USING COMPRESSION dictionary NOT NULL,
    procedure_code          VARCHAR USING COMPRESSION dictionary,
    channel                 VARCHAR USING COMPRESSION dictionary,
    received_at             TIMESTAMP NOT NULL,
    due_at                  TIMESTAMP,
    resolved_at             TIMESTAMP,
    digitized               BOOLEAN,
    fee_required            BOOLEAN,
    paid_online             BOOLEAN,
    rating                  VARCHAR USING COMPRESSION dictionary,
    supplement_requests     INTEGER,
    supplement_requested_at TIMESTAMP,
    supplement_completed_at TIMESTAMP,
    electronic_result       BOOLEAN,
    synced                  BOOLEAN,
    reused_data             BOOLEAN,
    citizen_store           BOOLEAN,
    vneid                   BOOLEAN,
    complaint               BOOLEAN,
    source                  INTEGER
);
INSERT INTO dossiers_by_source
SELECT d.* EXCLUDE (source_sha256), s.source FROM dossiers d LEFT JOIN dossier_sources s USING (source_sha256)
ORDER BY d.received_at;
DROP TABLE dossiers;
ALTER TABLE dossiers_by_source RENAME TO dossiers;
CREATE TABLE dossiers_long_compressed (
    unit_code               VARCHAR USING COMPRESSION dictionary NOT NULL,
    dossier_id              VARCHAR USING COMPRESSION fsst NOT NULL,
    procedure_code          VARCHAR USING COMPRESSION dictionary,
    received_at             TIMESTAMP NOT NULL,
    due_at                  TIMESTAMP,
    resolved_at             TIMESTAMP,
    supplement_requests     INTEGER,
    supplement_requested_at TIMESTAMP,
    supplement_completed_at TIMESTAMP,
    rf                      INTEGER NOT NULL
);
INSERT INTO dossiers_long_compressed SELECT * FROM dossiers_long;
DROP TABLE dossiers_long;
ALTER TABLE dossiers_long_compressed RENAME TO dossiers_long;
