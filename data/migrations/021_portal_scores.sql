-- Issue 17, reconciliation: the Decision 766 scores the National Public Service Portal
-- publishes, imported as files so that egovkpi's own figures can be checked against them.

-- One row per portal-scores file accepted (an identical file again changes nothing).
CREATE TABLE portal_score_imports (
    source_sha256 VARCHAR PRIMARY KEY,
    file_name     VARCHAR NOT NULL,
    imported_by   VARCHAR,
    imported_at   TIMESTAMP NOT NULL,
    rows          INTEGER NOT NULL
);

-- A unit's published scores for a period (canonical form: 2026-10, 2026-Q3, 2026-H2, 2026).
-- A later file for the same unit and period adds version + 1; every version is kept and the
-- highest is the one compared. A group's score is NULL where the portal left it empty.
CREATE TABLE portal_scores (
    unit_code     VARCHAR NOT NULL,
    period        VARCHAR NOT NULL,
    version       INTEGER NOT NULL,
    total         DOUBLE NOT NULL,
    ckmb          DOUBLE,
    tdgq          DOUBLE,
    online        DOUBLE,
    tttt          DOUBLE,
    mdsh          DOUBLE,
    mdhl          DOUBLE,
    rank          INTEGER,
    line          INTEGER NOT NULL,
    source_sha256 VARCHAR NOT NULL,
    imported_by   VARCHAR,
    imported_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (unit_code, period, version)
);
