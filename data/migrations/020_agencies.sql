-- A province's own agencies (sở, ban, ngành): units under the province that the
-- province defines itself, since no national list exists. code is the unit code,
-- the province's code and the agency's own code joined by a hyphen (01-SNV), so it
-- never meets a province's (2 digits), a commune's (5 digits) or a ministry's code.
CREATE TABLE agencies (
    code          VARCHAR PRIMARY KEY,
    province_code VARCHAR NOT NULL,
    local_code    VARCHAR NOT NULL,
    name_vi       VARCHAR NOT NULL,
    name_en       VARCHAR NOT NULL,
    created_by    VARCHAR NOT NULL,
    created_at    TIMESTAMP NOT NULL
);
