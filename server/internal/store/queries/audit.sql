-- name: AuditInsert :exec
-- The caller holds the application's row lock, so max+1 cannot race;
-- if it ever did, the unique (application_id, seq) refuses, never forks.
INSERT INTO audit_event (application_id, seq, at, kind, from_state, to_state, actor, data)
VALUES (@application_id,
        (SELECT coalesce(max(seq) + 1, 0) FROM audit_event WHERE application_id = @application_id),
        @at, @kind, @from_state, @to_state, @actor, @data);

-- name: AuditPending :many
SELECT id, application_id, seq, at, kind, from_state, to_state, actor, data
FROM audit_event WHERE log_index IS NULL ORDER BY id LIMIT $1;

-- name: AuditSetIndexes :exec
UPDATE audit_event e SET log_index = u.log_index
FROM (SELECT unnest(@ids::bigint[]) AS id, unnest(@log_indexes::bigint[]) AS log_index) u
WHERE e.id = u.id;

-- name: AuditHashInsert :exec
INSERT INTO audit_hash (idx, hash)
SELECT unnest(@idxs::bigint[]), unnest(@hashes::bytea[]);

-- name: AuditHashes :many
SELECT idx, hash FROM audit_hash WHERE idx = ANY(@idxs::bigint[]);

-- name: AuditCheckpointInsert :exec
INSERT INTO audit_checkpoint (size, note, signed_at) VALUES ($1, $2, $3);

-- name: AuditCheckpointLatest :one
SELECT * FROM audit_checkpoint ORDER BY id DESC LIMIT 1;

-- name: AuditCheckpoints :many
SELECT * FROM audit_checkpoint ORDER BY id;

-- name: AuditLogRange :many
SELECT id, application_id, seq, at, kind, from_state, to_state, actor, data, log_index
FROM audit_event WHERE log_index >= @from_index::bigint ORDER BY log_index LIMIT @n;

-- name: AuditForApplication :many
SELECT * FROM audit_event WHERE application_id = $1 ORDER BY seq;
