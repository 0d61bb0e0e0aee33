-- name: ListWorkflows :many
SELECT * FROM workflows ORDER BY name;

-- name: GetWorkflow :one
SELECT * FROM workflows WHERE name = ?;

-- name: CountWorkflowsByName :one
SELECT CAST(COUNT(*) AS INTEGER) FROM workflows WHERE name = ?;

-- name: ListWorkflowNames :many
SELECT name FROM workflows ORDER BY name;

-- name: CreateWorkflow :one
INSERT INTO workflows (name, description, timeout, steps, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?)
RETURNING *;

-- name: UpdateWorkflow :one
UPDATE workflows
SET name = ?, description = ?, timeout = ?, steps = ?, updated_at = ?
WHERE id = ?
RETURNING *;

-- name: DeleteWorkflow :exec
DELETE FROM workflows WHERE id = ?;

-- name: ListPoliciesUsingWorkflow :many
SELECT name FROM policies WHERE pre_action = ?1 OR post_action = ?1 ORDER BY name;

-- name: ListFlowsUsingWorkflow :many
SELECT f.name FROM flows f
JOIN flow_references r ON r.flow_id = f.id
WHERE r.kind = 'workflow' AND r.name = ?
ORDER BY f.name;
