-- CRLs and OCSP responses as published: signed on a schedule and at each
-- revocation, stored, and served as stored, so every instance serves the
-- same bytes and no request makes the authority sign.

CREATE TABLE crl (
    number         bigint PRIMARY KEY CHECK (number > 0),
    this_update    timestamptz NOT NULL,
    next_update    timestamptz NOT NULL CHECK (next_update > this_update),
    der            bytea NOT NULL,
    -- SHA-256 of the revocations it lists: when the revocations' differs,
    -- a new CRL is due.
    revoked_sha256 bytea NOT NULL CHECK (length(revoked_sha256) = 32)
);

-- The pre-signed answer for each certificate (SHA-1 CertID, no nonce).
-- Not a foreign key: a row is only ever written for a recorded serial.
CREATE TABLE ocsp_response (
    serial      text PRIMARY KEY CHECK (serial ~ '^[0-9a-f]{1,40}$'),
    der         bytea NOT NULL,
    this_update timestamptz NOT NULL,
    next_update timestamptz NOT NULL CHECK (next_update > this_update),
    revoked     boolean NOT NULL -- the status it states
);
CREATE INDEX ocsp_response_next_update_idx ON ocsp_response (next_update);
-- The refresh job looks only at certificates still valid.
CREATE INDEX certificate_not_after_idx ON certificate (not_after);

---- create above / drop below ----

DROP INDEX certificate_not_after_idx;
DROP TABLE ocsp_response;
DROP TABLE crl;
