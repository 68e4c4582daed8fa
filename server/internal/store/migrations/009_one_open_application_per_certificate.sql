-- One possession of a key is not a licence to open many applications: at
-- most one open application per current certificate. The index decides
-- races between two proofs of one certificate; the workflow refuses the
-- second with the way to resume the first.
--
-- Applications opened before this rule: all but the newest open one of a
-- certificate are cancelled, each with its audit event.
WITH dup AS (
    SELECT id, state FROM (
        SELECT id, state, row_number() OVER (PARTITION BY cert_sha256 ORDER BY created_at DESC, id DESC) AS n
        FROM application
        WHERE cert_sha256 IS NOT NULL AND state NOT IN ('rejected', 'delivered', 'cancelled', 'expired')
    ) x WHERE n > 1
), moved AS (
    UPDATE application a SET state = 'cancelled', updated_at = now()
    FROM dup WHERE a.id = dup.id
    RETURNING a.id, dup.state AS from_state
)
INSERT INTO audit_event (application_id, seq, at, kind, from_state, to_state, actor, data)
SELECT m.id, (SELECT coalesce(max(seq) + 1, 0) FROM audit_event e WHERE e.application_id = m.id),
       date_trunc('milliseconds', now()), 'transition:cancelled', m.from_state::text, 'cancelled', 'migration',
       '{"reason":"another open application of the same certificate"}'
FROM moved m;

CREATE UNIQUE INDEX application_open_certificate_key ON application (cert_sha256)
    WHERE cert_sha256 IS NOT NULL AND state NOT IN ('rejected', 'delivered', 'cancelled', 'expired');

---- create above / drop below ----

DROP INDEX application_open_certificate_key;
