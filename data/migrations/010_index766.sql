-- Issue 17, the index of Decision 766: the dossier columns its rules read (all optional in
-- an export: NULL where a file lacks them), the procedure catalogue and citizen feedback.
ALTER TABLE dossiers ADD COLUMN supplement_requests INTEGER;
ALTER TABLE dossiers ADD COLUMN supplement_requested_at TIMESTAMP;
ALTER TABLE dossiers ADD COLUMN supplement_completed_at TIMESTAMP;
ALTER TABLE dossiers ADD COLUMN electronic_result BOOLEAN;
ALTER TABLE dossiers ADD COLUMN synced BOOLEAN;
ALTER TABLE dossiers ADD COLUMN reused_data BOOLEAN;
ALTER TABLE dossiers ADD COLUMN citizen_store BOOLEAN;
ALTER TABLE dossiers ADD COLUMN vneid BOOLEAN;
ALTER TABLE dossiers ADD COLUMN complaint BOOLEAN;

-- One row per import of the catalogue: a version in force from in_force_from (the import's
-- date, Viet Nam time) until the next version's; past months keep the version then in force.
CREATE TABLE procedure_catalogues (
    id             BIGINT PRIMARY KEY,
    in_force_from  DATE NOT NULL,
    file_name      VARCHAR NOT NULL,
    source_sha256  VARCHAR NOT NULL UNIQUE,
    imported_by    VARCHAR,
    imported_at    TIMESTAMP NOT NULL,
    rows           INTEGER NOT NULL
);

-- The procedures of a catalogue version; line is the row in the file (a tie-break between two
-- entries that apply to the same unit, the first one winning).
CREATE TABLE procedures (
    catalogue_id         BIGINT NOT NULL,
    line                 INTEGER NOT NULL,
    procedure_code       VARCHAR NOT NULL,
    name_vi              VARCHAR NOT NULL,
    level                VARCHAR NOT NULL,   -- province | commune | ministry
    unit_code            VARCHAR,            -- NULL: every unit of the level
    max_processing       DOUBLE,
    max_unit             VARCHAR,            -- hours | days | working_days
    online               VARCHAR NOT NULL,   -- none | partial | full
    full_online_eligible BOOLEAN,
    paper_result         BOOLEAN,
    fee                  BOOLEAN,
    payment_integrated   BOOLEAN,
    announced_on         DATE,
    effective_on         DATE,
    published_on         DATE,
    components_complete  BOOLEAN,
    valid_from           DATE,
    valid_to             DATE
);

-- Citizen feedback (phản ánh, kiến nghị), owned by (unit_code, feedback_id) as dossiers are.
CREATE TABLE feedback (
    feedback_id   VARCHAR NOT NULL,
    unit_code     VARCHAR NOT NULL,
    received_at   TIMESTAMP NOT NULL,
    classified    BOOLEAN,
    handled_at    TIMESTAMP,
    outcome       VARCHAR,                  -- handled | refused | supplement_requested | open
    disliked      BOOLEAN,
    source_sha256 VARCHAR NOT NULL
);

-- One row per feedback file accepted.
CREATE TABLE feedback_imports (
    source_sha256 VARCHAR PRIMARY KEY,
    file_name     VARCHAR NOT NULL,
    imported_by   VARCHAR,
    imported_at   TIMESTAMP NOT NULL,
    rows          INTEGER NOT NULL
);
