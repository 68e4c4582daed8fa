-- Refunds and chargebacks after issuance: the application waits for the
-- operator in a state of its own, and the review queue holds entries of
-- applications as well as of bank statements.
--
-- The new value is not used in this migration: PostgreSQL refuses a new
-- enum value in the transaction that adds it.
ALTER TYPE renewal_state ADD VALUE IF NOT EXISTS 'under_review' AFTER 'delivered';

ALTER TABLE payment_review ALTER COLUMN statement_id DROP NOT NULL;
ALTER TABLE payment_review ADD COLUMN application_id text REFERENCES application (id);
-- One entry per application and cause: a redelivered refund adds none.
CREATE UNIQUE INDEX payment_review_application_kind_key ON payment_review (application_id, payment_id, kind)
    WHERE application_id IS NOT NULL;

-- Which applications of a head's payment it actually paid: a refund
-- stops those, never an item someone else's payment had paid already.
ALTER TABLE payment_item ADD COLUMN paid_at timestamptz;
-- Head's payments made before this column: an item was paid by the
-- payment its transition to paid names in the audit trail.
UPDATE payment_item i SET paid_at = p.paid_at
FROM payment p
WHERE p.id = i.payment_id AND p.status = 'succeeded'
  AND EXISTS (SELECT 1 FROM audit_event e
              WHERE e.application_id = i.application_id AND e.kind = 'transition:paid'
                AND (e.data::jsonb)->>'payment' = p.id);

---- create above / drop below ----

ALTER TABLE payment_item DROP COLUMN paid_at;
DROP INDEX payment_review_application_kind_key;
DELETE FROM payment_review WHERE statement_id IS NULL;
ALTER TABLE payment_review DROP COLUMN application_id;
ALTER TABLE payment_review ALTER COLUMN statement_id SET NOT NULL;
-- An enum value cannot be dropped; applications under review go back to
-- issued, where the operator finds them by the review entries gone.
UPDATE application SET state = 'issued' WHERE state = 'under_review';
