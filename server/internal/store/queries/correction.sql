-- name: RegistryCorrectionInsert :one
-- The next correction of an application, numbered from 1; the caller
-- holds the application's row lock, so the numbers do not race.
INSERT INTO registry_correction (application_id, n, code, message_ru, message_en, fields, created_at)
SELECT $1, coalesce(max(n), 0) + 1, $2, $3, $4, $5, $6 FROM registry_correction WHERE application_id = $1
RETURNING n;

-- name: RegistryCorrectionLatest :one
SELECT * FROM registry_correction WHERE application_id = $1 ORDER BY n DESC LIMIT 1;

-- name: RegistryCorrectionCount :one
SELECT count(*)::integer FROM registry_correction WHERE application_id = $1;
