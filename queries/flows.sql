-- name: ListFlows :many
SELECT * FROM flows ORDER BY name;

-- name: GetFlow :one
SELECT * FROM flows WHERE name = ?;

-- name: CountFlowsByName :one
SELECT CAST(COUNT(*) AS INTEGER) FROM flows WHERE name = ?;

-- name: CreateFlow :one
INSERT INTO flows (name, description, version, trigger_environment, steps, hooks, timeout_minutes, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
RETURNING *;

-- name: UpdateFlow :one
UPDATE flows
SET name = ?, description = ?, version = ?, trigger_environment = ?, steps = ?, hooks = ?,
    timeout_minutes = ?, updated_at = ?
WHERE id = ?
RETURNING *;

-- name: DeleteFlow :exec
DELETE FROM flows WHERE id = ?;

-- name: AddFlowReference :exec
INSERT OR IGNORE INTO flow_references (flow_id, kind, name) VALUES (?, ?, ?);

-- name: DeleteFlowReferences :exec
DELETE FROM flow_references WHERE flow_id = ?;

-- name: ListFlowsUsingEnvironment :many
SELECT f.name FROM flows f
JOIN flow_references r ON r.flow_id = f.id
WHERE r.kind = 'environment' AND r.name = ?
ORDER BY f.name;
