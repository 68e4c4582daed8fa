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

---- create above / drop below ----

ALTER TABLE payment_item DROP COLUMN paid_at;
DROP INDEX payment_review_application_kind_key;
DELETE FROM payment_review WHERE statement_id IS NULL;
ALTER TABLE payment_review DROP COLUMN application_id;
ALTER TABLE payment_review ALTER COLUMN statement_id SET NOT NULL;
-- An enum value cannot be dropped; applications under review go back to
-- issued, where the operator finds them by the review entries gone.
UPDATE application SET state = 'issued' WHERE state = 'under_review';
