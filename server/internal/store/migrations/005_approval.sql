-- The head of an organisation confirms employees' requests: a single-use
-- link per request, the head's own session, and the confirmation
-- document he signs once for one or many requests.

-- The organisation of an employee's certificate: ИНН ЮЛ (RU) or УНП (BY).
ALTER TABLE application ADD COLUMN org_id text;
CREATE INDEX application_org_idx ON application (jurisdiction, org_id, state);

CREATE TABLE approval_link (
    token_hash     bytea PRIMARY KEY,
    application_id text NOT NULL REFERENCES application (id),
    jurisdiction   text NOT NULL,
    org_id         text NOT NULL,
    created_at     timestamptz NOT NULL,
    expires_at     timestamptz NOT NULL,
    used_at        timestamptz
);

CREATE TABLE approval_session (
    id_hash      bytea PRIMARY KEY,
    jurisdiction text NOT NULL,
    org_id       text NOT NULL,
    cert_der     bytea,            -- the head's proven certificate
    cert_sha256  bytea,
    csrf_token   text NOT NULL,
    created_at   timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL,
    revoked_at   timestamptz
);

CREATE TABLE approval_challenge (
    id           text PRIMARY KEY,
    session_hash bytea NOT NULL REFERENCES approval_session (id_hash),
    nonce        bytea NOT NULL,
    created_at   timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL,
    used_at      timestamptz
);

CREATE TABLE confirmation (
    id               text PRIMARY KEY,
    jurisdiction     text NOT NULL,
    org_id           text NOT NULL,
    head_cert_sha256 bytea NOT NULL,
    content          bytea NOT NULL,
    sha256           bytea NOT NULL,
    signature        bytea,
    created_at       timestamptz NOT NULL,
    signed_at        timestamptz
);

CREATE TABLE confirmation_item (
    confirmation_id    text NOT NULL REFERENCES confirmation (id),
    application_id     text NOT NULL REFERENCES application (id),
    application_sha256 bytea NOT NULL,
    tariff             text NOT NULL,
    amount_minor       bigint NOT NULL,
    currency           text NOT NULL,
    PRIMARY KEY (confirmation_id, application_id)
);

-- One payment for several applications (the head of a Belarusian
-- organisation pays for all the requests he confirmed).
CREATE TABLE payment_item (
    payment_id     text NOT NULL REFERENCES payment (id),
    application_id text NOT NULL REFERENCES application (id),
    PRIMARY KEY (payment_id, application_id)
);

---- create above / drop below ----

DROP TABLE payment_item;
DROP TABLE confirmation_item;
DROP TABLE confirmation;
DROP TABLE approval_challenge;
DROP TABLE approval_session;
DROP TABLE approval_link;
DROP INDEX application_org_idx;
ALTER TABLE application DROP COLUMN org_id;
