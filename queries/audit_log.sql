-- name: CreateAuditRecord :exec
INSERT INTO audit_log (at, actor, action, entity_kind, entity_name, detail)
VALUES (?, ?, ?, ?, ?, ?);

-- name: ListAuditRecords :many
SELECT * FROM audit_log ORDER BY at DESC, id DESC LIMIT ?;
