-- name: CreateAuditRecord :exec
INSERT INTO audit_log (at, actor, action, entity_kind, entity_name, detail)
VALUES (?, ?, ?, ?, ?, ?);

-- name: ListAuditRecords :many
SELECT * FROM audit_log ORDER BY at DESC, id DESC LIMIT ?;

-- name: ListAuditPage :many
-- Newest first, keyset-paginated by (at, id); every filter is optional.
SELECT * FROM audit_log
WHERE (CAST(sqlc.narg(actor) AS TEXT) IS NULL OR actor = sqlc.narg(actor))
  AND (CAST(sqlc.narg(entity_kind) AS TEXT) IS NULL OR entity_kind = sqlc.narg(entity_kind))
  AND (CAST(sqlc.narg(from_at) AS TEXT) IS NULL OR at >= sqlc.narg(from_at))
  AND (CAST(sqlc.narg(to_at) AS TEXT) IS NULL OR at < sqlc.narg(to_at))
  AND (CAST(sqlc.narg(before_at) AS TEXT) IS NULL OR at < sqlc.narg(before_at)
       OR (at = sqlc.narg(before_at) AND id < sqlc.narg(before_id)))
ORDER BY at DESC, id DESC
LIMIT sqlc.arg(page_size);

-- name: ListAuditKinds :many
SELECT DISTINCT entity_kind FROM audit_log ORDER BY entity_kind;
