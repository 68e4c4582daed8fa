-- The audit trail becomes a transparency log (package auditlog): writers
-- insert events with a per-application sequence number and no log
-- index; one sequencer gives them log indexes in batches, stores the
-- Merkle tree's hashes and signs checkpoints. No writer waits for
-- another.

ALTER TABLE audit_event ADD COLUMN seq bigint;
UPDATE audit_event e SET seq = s.n
  FROM (SELECT id, row_number() OVER (PARTITION BY application_id ORDER BY id) - 1 AS n FROM audit_event) s
 WHERE e.id = s.id;
ALTER TABLE audit_event ALTER COLUMN seq SET NOT NULL;
ALTER TABLE audit_event ADD CONSTRAINT audit_event_application_seq_key UNIQUE (application_id, seq);
-- NULL until sequenced: existing events are sequenced by the first run,
-- in the order of the chain they were in (id).
ALTER TABLE audit_event ADD COLUMN log_index bigint UNIQUE;
CREATE INDEX audit_event_pending_idx ON audit_event (id) WHERE log_index IS NULL;
-- The old chain's hashes stay on the events it covered, as evidence.
ALTER TABLE audit_event ALTER COLUMN prev_hash DROP NOT NULL;
ALTER TABLE audit_event ALTER COLUMN hash DROP NOT NULL;
DROP INDEX audit_event_application_idx;

-- tlog's stored hashes: append-only, index as tlog.StoredHashIndex.
CREATE TABLE audit_hash (
    idx  bigint PRIMARY KEY,
    hash bytea NOT NULL
);

-- Every checkpoint ever signed, kept for consistency checks.
CREATE TABLE audit_checkpoint (
    id        bigserial PRIMARY KEY,
    size      bigint NOT NULL,
    note      text NOT NULL,
    signed_at timestamptz NOT NULL
);

---- create above / drop below ----

DROP TABLE audit_checkpoint;
DROP TABLE audit_hash;
CREATE INDEX audit_event_application_idx ON audit_event (application_id, id);
DROP INDEX audit_event_pending_idx;
ALTER TABLE audit_event DROP COLUMN log_index;
ALTER TABLE audit_event DROP COLUMN seq;
