-- The UN E-Government Survey, one import per file; the latest import of a year is the
-- one in force, earlier ones stay.
CREATE TABLE egdi_imports (
    id          BIGINT PRIMARY KEY,
    year        INTEGER NOT NULL,
    file_name   VARCHAR,
    sha256      VARCHAR,
    precision   INTEGER NOT NULL,  -- decimals of the published EGDI
    imported_by VARCHAR,
    imported_at TIMESTAMP NOT NULL
);

CREATE TABLE egdi_values (
    import_id BIGINT NOT NULL,
    iso3      VARCHAR NOT NULL,
    name      VARCHAR NOT NULL,   -- as the file wrote it
    egdi      DOUBLE,             -- published
    rank      INTEGER,            -- published
    osi       DOUBLE,
    hci       DOUBLE,
    tii       DOUBLE,
    epi       DOUBLE
);
