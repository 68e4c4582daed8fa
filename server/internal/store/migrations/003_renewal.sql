-- The renewal workflow: applications with a typed state, their audit
-- chain, one-time codes, certificate challenges, sessions, consents,
-- personal data, the signed application document, resume links and the
-- notification outbox.

CREATE TYPE renewal_state AS ENUM (
    'started', 'contacts_verified', 'certificate_proven', 'terms_accepted',
    'data_entered', 'verifying', 'verified', 'rejected', 'application_signed',
    'awaiting_approval', 'approved', 'awaiting_payment', 'paid', 'key_pending',
    'issued', 'acknowledged', 'delivered', 'cancelled', 'expired'
);

CREATE TABLE application (
    id                 text PRIMARY KEY,
    service            text NOT NULL REFERENCES service (code),
    jurisdiction       text NOT NULL CHECK (jurisdiction IN ('BY', 'RU')),
    profile            text NOT NULL,
    state              renewal_state NOT NULL DEFAULT 'started',
    version            integer NOT NULL DEFAULT 1,
    lang               text NOT NULL DEFAULT 'ru' CHECK (lang IN ('ru', 'en')),
    phone              text NOT NULL,
    email              text NOT NULL,
    phone_verified_at  timestamptz,
    email_verified_at  timestamptz,
    -- The proven current certificate.
    cert_serial        text,
    cert_der           bytea,
    cert_sha256        bytea,
    tariff             text,
    amount_minor       bigint,
    currency           text,
    -- Personal data as entered and checked (JSON of a fixed shape).
    personal_data      text,
    reject_code        text,
    reject_ru          text,
    reject_en          text,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    client_ip          text NOT NULL
);
CREATE INDEX application_state_idx ON application (state, updated_at);

-- Every transition and every signature, chained by hashes: each event
-- holds the hash of the one before it, so an edited row breaks the chain.
CREATE TABLE audit_event (
    id             bigserial PRIMARY KEY,
    application_id text NOT NULL,
    at             timestamptz NOT NULL,
    kind           text NOT NULL,
    from_state     text NOT NULL DEFAULT '',
    to_state       text NOT NULL DEFAULT '',
    actor          text NOT NULL DEFAULT '',
    -- The exact bytes that were hashed (JSON); text, not jsonb, because
    -- jsonb reorders keys and would break the hash.
    data           text NOT NULL DEFAULT '{}',
    prev_hash      bytea NOT NULL,
    hash           bytea NOT NULL UNIQUE
);
CREATE INDEX audit_event_application_idx ON audit_event (application_id, id);

-- One-time codes (SMS and e-mail): only a keyed hash is kept.
CREATE TABLE otp (
    id             bigserial PRIMARY KEY,
    application_id text NOT NULL REFERENCES application (id),
    channel        text NOT NULL CHECK (channel IN ('sms', 'email')),
    destination    text NOT NULL,
    code_hash      bytea NOT NULL,
    created_at     timestamptz NOT NULL,
    expires_at     timestamptz NOT NULL,
    attempts       integer NOT NULL DEFAULT 0,
    used_at        timestamptz,
    voided_at      timestamptz,
    client_ip      text NOT NULL
);
CREATE INDEX otp_application_idx ON otp (application_id, channel, id DESC);
CREATE INDEX otp_destination_idx ON otp (destination, created_at);
CREATE INDEX otp_client_idx ON otp (client_ip, created_at);

-- Single-use challenges to be signed with the current certificate's key.
CREATE TABLE cert_challenge (
    id             text PRIMARY KEY,
    application_id text NOT NULL REFERENCES application (id),
    nonce          bytea NOT NULL,
    purpose        text NOT NULL,
    created_at     timestamptz NOT NULL,
    expires_at     timestamptz NOT NULL,
    used_at        timestamptz
);

-- Browser sessions; only the hash of the cookie value is kept.
CREATE TABLE session (
    id_hash        bytea PRIMARY KEY,
    application_id text NOT NULL REFERENCES application (id),
    cert_sha256    bytea,            -- set once the current certificate is proven
    csrf_token     text NOT NULL,
    created_at     timestamptz NOT NULL,
    expires_at     timestamptz NOT NULL,
    revoked_at     timestamptz
);
CREATE INDEX session_application_idx ON session (application_id);

-- Accepted versions of the agreements, with what exactly was accepted.
CREATE TABLE consent (
    id             bigserial PRIMARY KEY,
    application_id text NOT NULL REFERENCES application (id),
    document       text NOT NULL,
    version        text NOT NULL,
    sha256         bytea NOT NULL,
    accepted_at    timestamptz NOT NULL,
    client_ip      text NOT NULL,
    UNIQUE (application_id, document)
);

-- Documents the holder signs: bytes, hash, detached CMS signature.
CREATE TABLE signed_document (
    id             bigserial PRIMARY KEY,
    application_id text NOT NULL REFERENCES application (id),
    kind           text NOT NULL CHECK (kind IN ('application', 'acknowledgement', 'confirmation')),
    content        bytea NOT NULL,
    sha256         bytea NOT NULL,
    signature      bytea,
    signer_sha256  bytea,
    created_at     timestamptz NOT NULL,
    signed_at      timestamptz,
    UNIQUE (application_id, kind)
);

-- The registry check's progress, visible to the client.
CREATE TABLE registry_check (
    application_id text PRIMARY KEY REFERENCES application (id),
    status         text NOT NULL CHECK (status IN ('queued', 'running', 'retrying', 'passed', 'failed')),
    attempts       integer NOT NULL DEFAULT 0,
    last_error     text NOT NULL DEFAULT '',
    steps          text NOT NULL DEFAULT '[]',
    started_at     timestamptz NOT NULL,
    finished_at    timestamptz
);

-- Links that reopen an application at its step; only a hash is kept.
CREATE TABLE resume_link (
    token_hash     bytea PRIMARY KEY,
    application_id text NOT NULL REFERENCES application (id),
    created_at     timestamptz NOT NULL,
    expires_at     timestamptz NOT NULL
);

-- Notifications written in the transaction of the change they announce;
-- River jobs deliver them.
CREATE TABLE outbox (
    id             bigserial PRIMARY KEY,
    application_id text,
    channel        text NOT NULL CHECK (channel IN ('sms', 'email')),
    recipient      text NOT NULL,
    subject        text NOT NULL DEFAULT '',
    body           text NOT NULL,
    -- A code or a link that grants access: its body is blanked once sent
    -- (kept in development, where /dev/outbox shows it).
    sensitive      boolean NOT NULL DEFAULT false,
    created_at     timestamptz NOT NULL DEFAULT now(),
    sent_at        timestamptz,
    attempts       integer NOT NULL DEFAULT 0,
    last_error     text NOT NULL DEFAULT ''
);

---- create above / drop below ----

DROP TABLE outbox;
DROP TABLE resume_link;
DROP TABLE registry_check;
DROP TABLE signed_document;
DROP TABLE consent;
DROP TABLE session;
DROP TABLE cert_challenge;
DROP TABLE otp;
DROP TABLE audit_event;
DROP TABLE application;
DROP TYPE renewal_state;
