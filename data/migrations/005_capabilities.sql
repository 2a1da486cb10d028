-- A unit's capability checklist, dated and versioned like a monthly report.
CREATE TABLE assessments (
    id           BIGINT PRIMARY KEY,
    unit_code    VARCHAR NOT NULL,
    month        DATE NOT NULL,
    version      INTEGER NOT NULL,
    status       VARCHAR NOT NULL,   -- current | superseded
    submitted_by VARCHAR,
    submitted_at TIMESTAMP NOT NULL,
    confirmed_by VARCHAR,
    confirmed_at TIMESTAMP
);

CREATE TABLE assessment_items (
    assessment_id BIGINT NOT NULL,
    capability    VARCHAR NOT NULL,
    value         DOUBLE NOT NULL,   -- 1/0 for yes/no, else a percentage
    evidence      VARCHAR
);
