-- Yearly national indices (the Digital Transformation Index DTI, the older ICT Index),
-- one import per file; the latest import of an index and year is in force.
CREATE TABLE index_imports (
    id          BIGINT PRIMARY KEY,
    name        VARCHAR NOT NULL,   -- dti | ict | …
    year        INTEGER NOT NULL,
    file_name   VARCHAR,
    sha256      VARCHAR,
    imported_by VARCHAR,
    imported_at TIMESTAMP NOT NULL
);

CREATE TABLE index_values (
    import_id BIGINT NOT NULL,
    unit_code VARCHAR NOT NULL,
    value     DOUBLE NOT NULL,
    rank      INTEGER,           -- published, where the file has one
    pillars   VARCHAR            -- JSON: pillar name → score
);
