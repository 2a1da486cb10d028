-- Reference units, rewritten from the embedded CSV files at every start.
CREATE TABLE units (
    code         VARCHAR NOT NULL,
    valid_from   DATE,
    valid_to     DATE,
    name_vi      VARCHAR NOT NULL,
    name_en      VARCHAR NOT NULL,
    type         VARCHAR NOT NULL,
    grp          VARCHAR NOT NULL,
    successor    VARCHAR,
    current_code VARCHAR NOT NULL
);

-- One accepted batch of values for one unit and month. A newer version supersedes the
-- older one; nothing is ever deleted.
CREATE TABLE submissions (
    id           BIGINT PRIMARY KEY,
    unit_code    VARCHAR NOT NULL,
    month        DATE NOT NULL,
    version      INTEGER NOT NULL,
    status       VARCHAR NOT NULL,      -- current | superseded
    source       VARCHAR NOT NULL,      -- upload | api | demo | …
    file_name    VARCHAR,
    sha256       VARCHAR,
    submitted_by VARCHAR,
    submitted_at TIMESTAMP NOT NULL     -- UTC
);

CREATE TABLE submission_values (
    submission_id BIGINT NOT NULL,
    measure       VARCHAR NOT NULL,
    value         BIGINT NOT NULL
);

CREATE VIEW current_values AS
SELECT s.unit_code, s.month, v.measure, v.value, s.id AS submission_id
FROM submissions s JOIN submission_values v ON v.submission_id = s.id
WHERE s.status = 'current';
