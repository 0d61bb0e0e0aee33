-- name: ListWorkflowSecrets :many
SELECT * FROM workflow_secrets ORDER BY name;

-- name: GetWorkflowSecret :one
SELECT * FROM workflow_secrets WHERE name = ?;

-- name: CreateWorkflowSecret :one
INSERT INTO workflow_secrets (name, description, value, created_at, updated_at)
VALUES (?, ?, ?, ?, ?)
RETURNING *;

-- name: UpdateWorkflowSecret :one
UPDATE workflow_secrets SET name = ?, description = ?, value = ?, updated_at = ?
WHERE id = ?
RETURNING *;

-- name: DeleteWorkflowSecret :exec
DELETE FROM workflow_secrets WHERE id = ?;
