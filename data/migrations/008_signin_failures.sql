-- Failed sign-ins, one row per client address and minute with counts, instead of one
-- audit entry per attempt: what unauthenticated traffic adds is bounded by addresses and
-- minutes (both capped by the application), not by how many requests are sent or how big.
CREATE TABLE signin_failures (
    peer          VARCHAR NOT NULL,
    minute        TIMESTAMP NOT NULL,
    attempts      BIGINT NOT NULL,   -- checked and failed
    blocked       BIGINT NOT NULL,   -- refused by the rate limit before any check
    last_username VARCHAR,           -- the last name tried, cut short; never a blocked one's
    PRIMARY KEY (peer, minute)
);
