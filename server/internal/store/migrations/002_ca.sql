-- The certification authority's records. Its private key is never here.
-- Serial numbers are lower-case hexadecimal without leading zeros.

-- What is about to be signed, written before the signature (Boulder's
-- "precertificate" idea without CT): if the process dies between the two,
-- the intent shows a serial was reserved and for what.
CREATE TABLE issuance_intent (
    serial         text PRIMARY KEY CHECK (serial ~ '^[0-9a-f]{1,40}$'),
    tbs_sha256     bytea NOT NULL CHECK (length(tbs_sha256) = 32),
    spki_sha256    bytea NOT NULL CHECK (length(spki_sha256) = 32),
    application_id text NOT NULL,
    token          text NOT NULL,
    profile        text NOT NULL,
    created_at     timestamptz NOT NULL,
    -- An issuance token is redeemed once; a key is certified once.
    CONSTRAINT issuance_intent_token_key UNIQUE (token),
    CONSTRAINT issuance_intent_spki_key UNIQUE (spki_sha256)
);

-- Every certificate the authority knows: those it signed, and in
-- development the demo subscribers' current certificates.
CREATE TABLE certificate (
    serial         text PRIMARY KEY CHECK (serial ~ '^[0-9a-f]{1,40}$'),
    der            bytea NOT NULL,
    spki_sha256    bytea NOT NULL CHECK (length(spki_sha256) = 32),
    not_before     timestamptz NOT NULL,
    not_after      timestamptz NOT NULL CHECK (not_after > not_before),
    application_id text,
    profile        text NOT NULL,
    tariff         text NOT NULL DEFAULT '',
    -- The certificate this one renews. Not a foreign key: the current
    -- certificate may come from another trusted issuer.
    replaces       text CHECK (replaces ~ '^[0-9a-f]{1,40}$'),
    recorded_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT certificate_spki_key UNIQUE (spki_sha256)
);
CREATE INDEX certificate_replaces_idx ON certificate (replaces);

CREATE TABLE revocation (
    serial     text PRIMARY KEY CHECK (serial ~ '^[0-9a-f]{1,40}$'),
    reason     integer NOT NULL CHECK (reason BETWEEN 0 AND 10 AND reason <> 7),
    revoked_at timestamptz NOT NULL
);

CREATE SEQUENCE crl_number;

---- create above / drop below ----

DROP SEQUENCE crl_number;
DROP TABLE revocation;
DROP TABLE certificate;
DROP TABLE issuance_intent;
