-- name: KeySeen :one
SELECT EXISTS (
    SELECT 1 FROM certificate c WHERE c.spki_sha256 = sqlc.arg(spki)::bytea
    UNION ALL
    SELECT 1 FROM issuance_intent i WHERE i.spki_sha256 = sqlc.arg(spki)::bytea AND i.abandoned_at IS NULL
);

-- name: IntentInsert :exec
INSERT INTO issuance_intent (serial, tbs_sha256, spki_sha256, application_id, token, profile, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7);

-- name: CertificateInsert :exec
INSERT INTO certificate (serial, der, spki_sha256, not_before, not_after, application_id, profile, tariff, replaces)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9);

-- name: CertificateExists :one
SELECT EXISTS (SELECT 1 FROM certificate WHERE serial = $1);

-- name: CertificateGet :one
SELECT serial, der, not_before, not_after, application_id, profile, tariff, replaces
FROM certificate WHERE serial = $1;

-- name: RevocationGet :one
SELECT reason, revoked_at FROM revocation WHERE serial = $1;

-- name: RevocationInsert :exec
INSERT INTO revocation (serial, reason, revoked_at) VALUES ($1, $2, $3)
ON CONFLICT (serial) DO NOTHING;

-- name: RevocationList :many
SELECT serial, reason, revoked_at FROM revocation ORDER BY revoked_at, serial;

-- name: CRLNumberNext :one
SELECT nextval('crl_number')::bigint;

-- name: CertificateForApplication :one
SELECT serial, der FROM certificate WHERE application_id = $1 ORDER BY recorded_at DESC LIMIT 1;

-- name: IntentAbandonOrphans :execrows
-- Intents of an application with no certificate behind them.
UPDATE issuance_intent i SET abandoned_at = $2
WHERE i.application_id = $1 AND i.abandoned_at IS NULL
  AND NOT EXISTS (SELECT 1 FROM certificate c WHERE c.serial = i.serial);
