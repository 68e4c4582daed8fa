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

-- name: CertificateLineageRenewals :one
-- Renewals among a certificate and those it replaced, back to the first
-- (bounded depth), whose validity began at or after since.
WITH RECURSIVE lineage (serial, replaces, not_before, depth) AS (
    SELECT c0.serial, c0.replaces, c0.not_before, 1 FROM certificate c0 WHERE c0.serial = sqlc.arg(serial)::text
    UNION ALL
    SELECT c.serial, c.replaces, c.not_before, l.depth + 1
    FROM certificate c JOIN lineage l ON c.serial = l.replaces
    WHERE l.depth < 1000
)
SELECT count(*) FROM lineage l WHERE l.replaces IS NOT NULL AND l.not_before >= sqlc.arg(since)::timestamptz;

-- name: CRLLock :exec
-- Serialises CRL publications until the transaction ends.
SELECT pg_advisory_xact_lock(7364021);

-- name: CRLInsert :exec
INSERT INTO crl (number, this_update, next_update, der, revoked_sha256) VALUES ($1, $2, $3, $4, $5);

-- name: CRLLatest :one
SELECT number, this_update, next_update, der, revoked_sha256 FROM crl ORDER BY number DESC LIMIT 1;

-- name: OCSPResponseGet :one
SELECT o.der, o.this_update, o.next_update, o.revoked, (r.serial IS NOT NULL)::boolean AS revoked_now
FROM ocsp_response o LEFT JOIN revocation r ON r.serial = o.serial
WHERE o.serial = $1;

-- name: OCSPResponsePut :exec
-- A revoked answer replaces a good one; otherwise the newer wins (two
-- signers racing, or clocks apart). A revocation is never undone here.
INSERT INTO ocsp_response AS o (serial, der, this_update, next_update, revoked) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (serial) DO UPDATE
SET der = EXCLUDED.der, this_update = EXCLUDED.this_update, next_update = EXCLUDED.next_update, revoked = EXCLUDED.revoked
WHERE (EXCLUDED.revoked AND NOT o.revoked)
   OR (EXCLUDED.revoked = o.revoked AND EXCLUDED.this_update >= o.this_update);

-- name: OCSPResponseStale :many
-- Certificates valid at now whose answer is missing, ends before before,
-- or states a status that is no longer true.
SELECT c.serial FROM certificate c
LEFT JOIN ocsp_response o ON o.serial = c.serial
LEFT JOIN revocation r ON r.serial = c.serial
WHERE c.not_after > sqlc.arg(now)::timestamptz
  AND (o.serial IS NULL OR o.next_update < sqlc.arg(before)::timestamptz OR o.revoked <> (r.serial IS NOT NULL))
ORDER BY o.next_update NULLS FIRST, c.serial
LIMIT sqlc.arg(max_rows);
