-- name: ApplicationSetOrg :exec
UPDATE application SET org_id = $2 WHERE id = $1;

-- name: ApprovalLinkInsert :exec
INSERT INTO approval_link (token_hash, application_id, jurisdiction, org_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6);

-- name: ApprovalLinkTake :one
-- A link opens once: taking it marks it used.
UPDATE approval_link SET used_at = sqlc.arg(at)
WHERE token_hash = sqlc.arg(token_hash) AND used_at IS NULL AND expires_at > sqlc.arg(at)
RETURNING application_id, jurisdiction, org_id;

-- name: ApprovalSessionInsert :exec
INSERT INTO approval_session (id_hash, jurisdiction, org_id, cert_der, cert_sha256, csrf_token, created_at, expires_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8);

-- name: ApprovalSessionGet :one
SELECT * FROM approval_session WHERE id_hash = $1 AND revoked_at IS NULL AND expires_at > $2;

-- name: ApprovalSessionRevoke :exec
UPDATE approval_session SET revoked_at = $2 WHERE id_hash = $1;

-- name: ApprovalChallengeInsert :exec
INSERT INTO approval_challenge (id, session_hash, nonce, created_at, expires_at) VALUES ($1, $2, $3, $4, $5);

-- name: ApprovalChallengeTake :one
UPDATE approval_challenge SET used_at = sqlc.arg(at)
WHERE id = sqlc.arg(id) AND session_hash = sqlc.arg(session_hash) AND used_at IS NULL
RETURNING nonce, expires_at;

-- name: ApplicationsAwaitingApproval :many
SELECT * FROM application WHERE jurisdiction = $1 AND org_id = $2 AND state = 'awaiting_approval' ORDER BY created_at;

-- name: ApplicationsApprovedUnpaid :many
SELECT * FROM application WHERE jurisdiction = $1 AND org_id = $2 AND state = 'approved' ORDER BY created_at;

-- name: ConfirmationInsert :exec
INSERT INTO confirmation (id, jurisdiction, org_id, head_cert_sha256, content, sha256, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7);

-- name: ConfirmationItemInsert :exec
INSERT INTO confirmation_item (confirmation_id, application_id, application_sha256, tariff, amount_minor, currency) VALUES ($1, $2, $3, $4, $5, $6);

-- name: ConfirmationGetForUpdate :one
SELECT * FROM confirmation WHERE id = $1 FOR UPDATE;

-- name: ConfirmationItems :many
SELECT * FROM confirmation_item WHERE confirmation_id = $1 ORDER BY application_id;

-- name: ConfirmationSign :exec
UPDATE confirmation SET signature = $2, signed_at = $3 WHERE id = $1;

-- name: ConfirmationForApplication :one
SELECT c.* FROM confirmation c JOIN confirmation_item i ON i.confirmation_id = c.id
WHERE i.application_id = $1 AND c.signature IS NOT NULL ORDER BY c.signed_at DESC LIMIT 1;

-- name: PaymentItemInsert :exec
INSERT INTO payment_item (payment_id, application_id) VALUES ($1, $2);

-- name: PaymentItems :many
SELECT application_id FROM payment_item WHERE payment_id = $1 ORDER BY application_id;

-- name: ConfirmationGet :one
SELECT * FROM confirmation WHERE id = $1;

-- name: PaymentLatestPaidForOrg :one
-- The organisation's last paid payment for its employees' requests (the
-- head's page shows it, with its documents, after payment).
SELECT p.* FROM payment p
WHERE p.status = 'succeeded' AND EXISTS (
    SELECT 1 FROM payment_item i JOIN application a ON a.id = i.application_id
    WHERE i.payment_id = p.id AND a.jurisdiction = $1 AND a.org_id = $2)
ORDER BY p.paid_at DESC NULLS LAST, p.created_at DESC
LIMIT 1;
