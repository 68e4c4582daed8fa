-- name: ApplicationInsert :exec
INSERT INTO application (id, service, jurisdiction, profile, lang, phone, email, client_ip, created_at, updated_at, number)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10);

-- name: NumberNext :one
-- The next number of a kind in a year. The upsert locks the counter row
-- until the caller's transaction ends: concurrent callers take turns and
-- a rolled-back number is given again, never one that was committed.
INSERT INTO number_counter AS c (kind, year, last) VALUES ($1, $2, 1)
ON CONFLICT (kind, year) DO UPDATE SET last = c.last + 1
RETURNING last;

-- name: ApplicationSetNumber :exec
-- The readable number, set last in the creating transaction so that the
-- counter's row stays locked only until the commit.
UPDATE application SET number = $2 WHERE id = $1;

-- name: ApplicationSetReceiptEmail :exec
UPDATE application SET receipt_email = $2, updated_at = $3 WHERE id = $1;

-- name: ApplicationGet :one
SELECT * FROM application WHERE id = $1;

-- name: ApplicationGetForUpdate :one
SELECT * FROM application WHERE id = $1 FOR UPDATE;

-- name: ApplicationSetState :execrows
-- Moves the application only if it is in one of the allowed states: the
-- row lock makes a concurrent second attempt see the new state and fail.
UPDATE application
SET state = sqlc.arg(to_state), version = version + 1, updated_at = sqlc.arg(at)
WHERE id = sqlc.arg(id) AND state::text = ANY (sqlc.arg(from_states)::text[]);

-- name: ApplicationSetContactVerified :exec
UPDATE application
SET phone_verified_at = CASE WHEN sqlc.arg(channel)::text = 'sms' THEN sqlc.arg(at)::timestamptz ELSE phone_verified_at END,
    email_verified_at = CASE WHEN sqlc.arg(channel)::text = 'email' THEN sqlc.arg(at)::timestamptz ELSE email_verified_at END,
    updated_at = sqlc.arg(at)
WHERE id = sqlc.arg(id);

-- name: ApplicationSetCertificate :exec
UPDATE application SET cert_serial = $2, cert_der = $3, cert_sha256 = $4, updated_at = $5 WHERE id = $1;

-- name: ApplicationOpenForCertificate :one
-- The one open application of a certificate (application_open_certificate_key).
SELECT * FROM application
WHERE cert_sha256 = $1 AND state NOT IN ('rejected', 'delivered', 'cancelled', 'expired');

-- name: ApplicationSetTariff :exec
UPDATE application SET tariff = $2, amount_minor = $3, currency = $4, updated_at = $5 WHERE id = $1;

-- name: ApplicationSetPersonalData :exec
UPDATE application SET personal_data = $2, updated_at = $3 WHERE id = $1;

-- name: ApplicationSetRejection :exec
UPDATE application SET reject_code = $2, reject_ru = $3, reject_en = $4, updated_at = $5 WHERE id = $1;

-- name: OTPInsert :one
INSERT INTO otp (application_id, channel, destination, code_hash, created_at, expires_at, client_ip)
VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id;

-- name: OTPLatest :one
SELECT * FROM otp WHERE application_id = $1 AND channel = $2 ORDER BY id DESC LIMIT 1 FOR UPDATE;

-- name: OTPCountSince :one
SELECT
  (SELECT count(*) FROM otp o1 WHERE o1.destination = sqlc.arg(destination) AND o1.created_at > sqlc.arg(since))::bigint AS by_destination,
  (SELECT count(*) FROM otp o2 WHERE o2.client_ip = sqlc.arg(client_ip) AND o2.channel = sqlc.arg(channel) AND o2.created_at > sqlc.arg(since))::bigint AS by_client;

-- name: OTPAttempt :exec
UPDATE otp SET attempts = attempts + 1, voided_at = CASE WHEN attempts + 1 >= sqlc.arg(max_attempts)::int THEN sqlc.arg(at)::timestamptz ELSE voided_at END
WHERE id = sqlc.arg(id);

-- name: OTPUse :exec
UPDATE otp SET used_at = $2 WHERE id = $1;

-- name: OTPVoidOpen :exec
UPDATE otp SET voided_at = $3 WHERE application_id = $1 AND channel = $2 AND used_at IS NULL AND voided_at IS NULL;

-- name: ChallengeInsert :exec
INSERT INTO cert_challenge (id, application_id, nonce, purpose, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6);

-- name: ChallengeTake :one
-- Marks the challenge used and returns it, once: a replay finds it used.
UPDATE cert_challenge SET used_at = sqlc.arg(at)
WHERE id = sqlc.arg(id) AND application_id = sqlc.arg(application_id) AND used_at IS NULL
RETURNING nonce, purpose, expires_at;

-- name: SessionInsert :exec
INSERT INTO session (id_hash, application_id, cert_sha256, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6);

-- name: SessionGet :one
SELECT * FROM session WHERE id_hash = $1 AND revoked_at IS NULL AND expires_at > $2;

-- name: SessionRevoke :exec
UPDATE session SET revoked_at = $2 WHERE id_hash = $1 AND revoked_at IS NULL;

-- name: ConsentInsert :exec
INSERT INTO consent (application_id, document, version, sha256, accepted_at, client_ip) VALUES ($1, $2, $3, $4, $5, $6);

-- name: ConsentList :many
SELECT * FROM consent WHERE application_id = $1 ORDER BY document;

-- name: SignedDocumentUpsert :exec
INSERT INTO signed_document (application_id, kind, content, sha256, created_at) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (application_id, kind) DO UPDATE SET content = EXCLUDED.content, sha256 = EXCLUDED.sha256, created_at = EXCLUDED.created_at
WHERE signed_document.signature IS NULL;

-- name: SignedDocumentGet :one
SELECT * FROM signed_document WHERE application_id = $1 AND kind = $2;

-- name: SignedDocumentSign :execrows
UPDATE signed_document SET signature = $3, signer_sha256 = $4, signed_at = $5
WHERE application_id = $1 AND kind = $2 AND signature IS NULL;

-- name: RegistryCheckUpsert :exec
INSERT INTO registry_check (application_id, status, attempts, last_error, steps, started_at, finished_at)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (application_id) DO UPDATE SET status = EXCLUDED.status, attempts = EXCLUDED.attempts,
  last_error = EXCLUDED.last_error, steps = EXCLUDED.steps, finished_at = EXCLUDED.finished_at;

-- name: RegistryCheckGet :one
SELECT * FROM registry_check WHERE application_id = $1;

-- name: ResumeLinkInsert :exec
INSERT INTO resume_link (token_hash, application_id, created_at, expires_at) VALUES ($1, $2, $3, $4);

-- name: ResumeLinkGet :one
SELECT application_id FROM resume_link WHERE token_hash = $1 AND expires_at > $2;

-- name: OutboxInsert :one
INSERT INTO outbox (application_id, channel, recipient, subject, body, sensitive, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id;

-- name: OutboxGet :one
SELECT * FROM outbox WHERE id = $1;

-- name: OutboxMarkSent :exec
UPDATE outbox SET sent_at = $2, attempts = attempts + 1, last_error = '',
  body = CASE WHEN sensitive AND sqlc.arg(redact)::boolean THEN '(отправлено / sent)' ELSE body END
WHERE id = $1;

-- name: OutboxMarkFailed :exec
-- A final failure blanks a sensitive body as a delivery does: a code or
-- link that never arrived must not stay readable either.
UPDATE outbox SET attempts = attempts + 1, last_error = $2,
  body = CASE WHEN sensitive AND sqlc.arg(final)::boolean AND sqlc.arg(redact)::boolean THEN '(не доставлено / not delivered)' ELSE body END
WHERE id = $1;

-- name: OutboxList :many
SELECT * FROM outbox ORDER BY id DESC LIMIT $1;

-- name: ApplicationNotify :exec
-- Tells every server's listener (listen.go) that the application's view
-- changed; inside a transaction PostgreSQL sends it at the commit. The
-- payload is the id alone: a stream reads the view itself.
SELECT pg_notify('renewal_events', sqlc.arg(id)::text);
