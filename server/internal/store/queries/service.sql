-- name: ServiceList :many
SELECT code, jurisdiction, role, number, title_ru, title_en, summary_ru, summary_en, requirements_ru, requirements_en
FROM service
WHERE active
ORDER BY position;

-- name: ServiceGet :one
SELECT code, jurisdiction, role, number, title_ru, title_en, summary_ru, summary_en, requirements_ru, requirements_en
FROM service
WHERE code = $1 AND active;
