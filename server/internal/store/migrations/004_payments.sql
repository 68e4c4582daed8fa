-- Payments: one application, one paid charge, one certificate.

CREATE TABLE payment (
    id             text PRIMARY KEY,
    application_id text NOT NULL REFERENCES application (id),
    method         text NOT NULL CHECK (method IN ('card', 'erip', 'invoice')),
    provider_ref   text,
    amount_minor   bigint NOT NULL CHECK (amount_minor > 0),
    currency       text NOT NULL,
    status         text NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed', 'refunded')),
    redirect_url   text NOT NULL DEFAULT '',
    erip_code      text NOT NULL DEFAULT '',
    invoice_number text UNIQUE,
    payer_inn      text NOT NULL DEFAULT '',
    created_at     timestamptz NOT NULL,
    paid_at        timestamptz,
    refunded_at    timestamptz,
    CONSTRAINT payment_provider_ref_key UNIQUE (method, provider_ref)
);
CREATE INDEX payment_application_idx ON payment (application_id, created_at DESC);
-- At most one paid charge per application, whatever the races.
CREATE UNIQUE INDEX payment_one_success ON payment (application_id) WHERE status = 'succeeded';

-- Every notification acted on; a duplicate or a replay finds its row.
CREATE TABLE payment_event (
    provider    text NOT NULL,
    event_id    text NOT NULL,
    payment_id  text NOT NULL,
    kind        text NOT NULL,
    received_at timestamptz NOT NULL,
    PRIMARY KEY (provider, event_id)
);

CREATE SEQUENCE invoice_seq;

-- Uploaded bank statements and their documents that did not match an
-- invoice exactly: the operator's review queue.
CREATE TABLE statement_import (
    id          bigserial PRIMARY KEY,
    sha256      bytea NOT NULL UNIQUE,
    filename    text NOT NULL,
    documents   integer NOT NULL,
    imported_at timestamptz NOT NULL
);

CREATE TABLE payment_review (
    id             bigserial PRIMARY KEY,
    statement_id   bigint NOT NULL REFERENCES statement_import (id),
    payment_id     text,
    doc_number     text NOT NULL,
    doc_date       text NOT NULL,
    amount_minor   bigint NOT NULL,
    payer_inn      text NOT NULL,
    payer_name     text NOT NULL,
    purpose        text NOT NULL,
    kind           text NOT NULL,
    reason_ru      text NOT NULL,
    reason_en      text NOT NULL,
    created_at     timestamptz NOT NULL,
    resolved_at    timestamptz
);

-- The request for the new certificate and what was issued.
ALTER TABLE application ADD COLUMN csr bytea;
ALTER TABLE application ADD COLUMN issued_serial text;

-- An intent whose process died before the certificate was recorded: the
-- certificate never left that process, so the key and token may be used
-- again by the retried issuance.
ALTER TABLE issuance_intent ADD COLUMN abandoned_at timestamptz;
ALTER TABLE issuance_intent DROP CONSTRAINT issuance_intent_token_key;
ALTER TABLE issuance_intent DROP CONSTRAINT issuance_intent_spki_key;
CREATE UNIQUE INDEX issuance_intent_token_key ON issuance_intent (token) WHERE abandoned_at IS NULL;
CREATE UNIQUE INDEX issuance_intent_spki_key ON issuance_intent (spki_sha256) WHERE abandoned_at IS NULL;

---- create above / drop below ----

DROP INDEX issuance_intent_spki_key;
DROP INDEX issuance_intent_token_key;
ALTER TABLE issuance_intent ADD CONSTRAINT issuance_intent_token_key UNIQUE (token);
ALTER TABLE issuance_intent ADD CONSTRAINT issuance_intent_spki_key UNIQUE (spki_sha256);
ALTER TABLE issuance_intent DROP COLUMN abandoned_at;
ALTER TABLE application DROP COLUMN issued_serial;
ALTER TABLE application DROP COLUMN csr;
DROP TABLE payment_review;
DROP TABLE statement_import;
DROP SEQUENCE invoice_seq;
DROP TABLE payment_event;
DROP TABLE payment;
