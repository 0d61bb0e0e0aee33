-- name: CreateAuditRecord :exec
INSERT INTO audit_log (at, actor, action, entity_kind, entity_name, detail)
VALUES (?, ?, ?, ?, ?, ?);

-- name: ListAuditRecords :many
SELECT * FROM audit_log ORDER BY at DESC, id DESC LIMIT ?;

-- name: ListAuditPage :many
-- Newest first, keyset-paginated: the records from from_at on and below (before_at,
-- before_id), a range of audit_log_at however long the log grows. The caller passes the
-- widest bounds when a page has none.
SELECT * FROM audit_log INDEXED BY audit_log_at
WHERE at >= sqlc.arg(from_at) AND (at, id) < (sqlc.arg(before_at), CAST(sqlc.arg(before_id) AS INTEGER))
ORDER BY at DESC, id DESC
LIMIT sqlc.arg(page_size);

-- name: ListAuditPageOfActor :many
-- ListAuditPage of one actor's records, a range of audit_log_actor; the kind is optional.
SELECT * FROM audit_log INDEXED BY audit_log_actor
WHERE actor = sqlc.arg(actor) AND at >= sqlc.arg(from_at) AND (at, id) < (sqlc.arg(before_at), CAST(sqlc.arg(before_id) AS INTEGER))
  AND (CAST(sqlc.narg(entity_kind) AS TEXT) IS NULL OR entity_kind = sqlc.narg(entity_kind))
ORDER BY at DESC, id DESC
LIMIT sqlc.arg(page_size);

-- name: ListAuditPageOfKind :many
-- ListAuditPage of one kind of entity, a range of audit_log_kind_at.
SELECT * FROM audit_log INDEXED BY audit_log_kind_at
WHERE entity_kind = sqlc.arg(entity_kind) AND at >= sqlc.arg(from_at) AND (at, id) < (sqlc.arg(before_at), CAST(sqlc.arg(before_id) AS INTEGER))
ORDER BY at DESC, id DESC
LIMIT sqlc.arg(page_size);

-- name: ListAuditKinds :many
-- The kinds in the log, found by leaping from one kind to the next in audit_log_kind_at: a
-- look-up per kind rather than a read of the whole log.
WITH RECURSIVE kinds (kind) AS (
    SELECT MIN(entity_kind) FROM audit_log
    UNION ALL
    SELECT (SELECT MIN(entity_kind) FROM audit_log WHERE entity_kind > kinds.kind) FROM kinds WHERE kinds.kind IS NOT NULL
)
SELECT CAST(kind AS TEXT) AS kind FROM kinds WHERE kind IS NOT NULL;
