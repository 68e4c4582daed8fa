-- name: PaymentInsert :exec
INSERT INTO payment (id, application_id, method, provider_ref, amount_minor, currency, status, redirect_url, erip_code, invoice_number, payer_inn, created_at)
VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, $8, $9, $10, $11);

-- name: PaymentGet :one
SELECT * FROM payment WHERE id = $1;

-- name: PaymentGetForUpdate :one
SELECT * FROM payment WHERE id = $1 FOR UPDATE;

-- name: PaymentLatest :one
SELECT * FROM payment WHERE application_id = $1 ORDER BY created_at DESC LIMIT 1;

-- name: PaymentSetStatus :exec
UPDATE payment SET status = $2,
  paid_at = CASE WHEN $2 = 'succeeded' THEN sqlc.arg(at)::timestamptz ELSE paid_at END,
  refunded_at = CASE WHEN $2 = 'refunded' THEN sqlc.arg(at)::timestamptz ELSE refunded_at END
WHERE id = $1;

-- name: PaymentEventInsert :execrows
INSERT INTO payment_event (provider, event_id, payment_id, kind, received_at) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT DO NOTHING;

-- name: PaymentOpenInvoices :many
-- Invoices a statement may settle, and those already settled (a second
-- payment of one is a duplicate, not an unknown document).
SELECT * FROM payment WHERE method = 'invoice' AND status IN ('pending', 'succeeded');

-- name: StatementInsert :one
INSERT INTO statement_import (sha256, filename, documents, imported_at) VALUES ($1, $2, $3, $4)
ON CONFLICT (sha256) DO NOTHING RETURNING id;

-- name: ReviewInsert :exec
INSERT INTO payment_review (statement_id, payment_id, doc_number, doc_date, amount_minor, payer_inn, payer_name, purpose, kind, reason_ru, reason_en, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12);

-- name: ReviewList :many
SELECT * FROM payment_review WHERE resolved_at IS NULL ORDER BY id;

-- name: ApplicationSetCSR :exec
UPDATE application SET csr = $2, key_carrier = $3, updated_at = $4 WHERE id = $1;

-- name: ApplicationSetIssued :exec
UPDATE application SET issued_serial = $2, updated_at = $3, act_number = COALESCE(act_number, sqlc.narg(act_number)) WHERE id = $1;

-- name: PaymentByInvoice :one
SELECT * FROM payment WHERE invoice_number = $1;

-- name: PaymentItemSetPaid :exec
UPDATE payment_item SET paid_at = sqlc.arg(at)::timestamptz WHERE payment_id = $1 AND application_id = $2;

-- name: PaymentItemsPaid :many
-- The applications a head's payment paid for, in lock order.
SELECT application_id FROM payment_item WHERE payment_id = $1 AND paid_at IS NOT NULL ORDER BY application_id;

-- name: ReviewInsertForApplication :execrows
-- An application waiting for the operator (a refund or chargeback after
-- its certificate was issued, a partial refund).
INSERT INTO payment_review (application_id, payment_id, doc_number, doc_date, amount_minor, payer_inn, payer_name, purpose, kind, reason_ru, reason_en, created_at)
VALUES (@application_id, @payment_id, '', '', @amount_minor, '', '', '', @kind, @reason_ru, @reason_en, @created_at)
ON CONFLICT (application_id, payment_id, kind) WHERE application_id IS NOT NULL DO NOTHING;

-- name: PaymentAuditStreamLock :exec
-- Orders the audit events of refused notifications, which have no
-- application row to lock.
SELECT pg_advisory_xact_lock(hashtextextended(sqlc.arg(stream)::text, 0));

-- name: PaymentIDByProviderRef :one
-- Our payment of a provider's reference: an unsigned notification names
-- the reference only as a hint, and our record says whose it is.
SELECT id FROM payment WHERE method = $1 AND provider_ref = $2;
