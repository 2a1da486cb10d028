CREATE TABLE users (
    id            BIGINT PRIMARY KEY,
    username      VARCHAR NOT NULL UNIQUE,
    password_hash VARCHAR NOT NULL,
    role          VARCHAR NOT NULL,   -- admin | committee | analyst | officer
    unit_code     VARCHAR,            -- officers only
    disabled      BOOLEAN NOT NULL DEFAULT false,
    created_at    TIMESTAMP NOT NULL
);

-- Browser sessions, by the SHA-256 of the cookie's value.
CREATE TABLE sessions (
    token_hash VARCHAR PRIMARY KEY,
    user_id    BIGINT NOT NULL,
    csrf       VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);

-- API tokens for machine clients, by the SHA-256 of the token.
CREATE TABLE api_tokens (
    id         BIGINT PRIMARY KEY,
    user_id    BIGINT NOT NULL,
    token_hash VARCHAR NOT NULL UNIQUE,
    name       VARCHAR,
    created_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);

-- A month the committee has locked after review; reopening removes the row, and both
-- are in the audit log.
CREATE TABLE month_locks (
    month     DATE PRIMARY KEY,
    locked_by VARCHAR NOT NULL,
    locked_at TIMESTAMP NOT NULL
);

-- Append-only: the application inserts and never updates or deletes.
CREATE TABLE audit_log (
    id        BIGINT PRIMARY KEY,
    at_time   TIMESTAMP NOT NULL,
    actor     VARCHAR NOT NULL,
    action    VARCHAR NOT NULL,
    unit_code VARCHAR,
    month     DATE,
    detail    VARCHAR,   -- JSON
    peer      VARCHAR
);
