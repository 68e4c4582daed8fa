-- Numbers a person can read aloud and type: an application is
-- 2026-000123, its act A-2026-000045, an invoice RN-2026-000045. The
-- random id stays the key; these are for people. Each kind counts per
-- year in number_counter: the counter row is bumped in the transaction
-- that creates the numbered thing, so a number is taken only if that
-- transaction commits, and the row lock makes concurrent creators take
-- turns (unique without gaps).
CREATE TABLE number_counter (
    kind text    NOT NULL CHECK (kind IN ('application', 'act', 'invoice')),
    year integer NOT NULL CHECK (year BETWEEN 2000 AND 9999),
    last bigint  NOT NULL CHECK (last > 0),
    PRIMARY KEY (kind, year)
);

ALTER TABLE application ADD COLUMN number text;
ALTER TABLE application ADD COLUMN act_number text;
-- Where the receipt of a payment goes; NULL means the contact e-mail.
ALTER TABLE application ADD COLUMN receipt_email text;

-- Applications made before this migration get numbers in the order they
-- were made, per year of creation (Moscow and Minsk time: both UTC+3; written as an interval because
-- PostgreSQL reads a zone '+03' the POSIX way, as UTC-3).
UPDATE application a SET number = n.number
FROM (
    SELECT id, to_char(created_at AT TIME ZONE 'UTC' + interval '3 hours', 'YYYY') || '-' ||
           lpad(row_number() OVER (PARTITION BY extract(year FROM created_at AT TIME ZONE 'UTC' + interval '3 hours') ORDER BY created_at, id)::text, 6, '0') AS number
    FROM application
) n
WHERE a.id = n.id;
UPDATE application a SET act_number = 'A-' || n.number
FROM (
    SELECT id, to_char(updated_at AT TIME ZONE 'UTC' + interval '3 hours', 'YYYY') || '-' ||
           lpad(row_number() OVER (PARTITION BY extract(year FROM updated_at AT TIME ZONE 'UTC' + interval '3 hours') ORDER BY updated_at, id)::text, 6, '0') AS number
    FROM application WHERE issued_serial IS NOT NULL
) n
WHERE a.id = n.id;
INSERT INTO number_counter (kind, year, last)
SELECT 'application', split_part(number, '-', 1)::integer, max(split_part(number, '-', 2)::bigint)
FROM application GROUP BY 1, 2;
INSERT INTO number_counter (kind, year, last)
SELECT 'act', split_part(act_number, '-', 2)::integer, max(split_part(act_number, '-', 3)::bigint)
FROM application WHERE act_number IS NOT NULL GROUP BY 1, 2;
-- Invoices already carry RN-YYYY-NNNNNN from the old global sequence: the
-- per-year counter goes on from the highest of each year.
INSERT INTO number_counter (kind, year, last)
SELECT 'invoice', split_part(invoice_number, '-', 2)::integer, max(split_part(invoice_number, '-', 3)::bigint)
FROM payment WHERE invoice_number ~ '^RN-[0-9]{4}-[0-9]+$' GROUP BY 1, 2;

ALTER TABLE application ALTER COLUMN number SET NOT NULL;
ALTER TABLE application ADD CONSTRAINT application_number_key UNIQUE (number);
ALTER TABLE application ADD CONSTRAINT application_act_number_key UNIQUE (act_number);

---- create above / drop below ----

ALTER TABLE application DROP COLUMN receipt_email;
ALTER TABLE application DROP COLUMN act_number;
ALTER TABLE application DROP COLUMN number;
DROP TABLE number_counter;
