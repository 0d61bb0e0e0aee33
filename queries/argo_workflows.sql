-- name: ListArgoWorkflowsServers :many
SELECT * FROM argo_workflows_servers ORDER BY name;

-- name: GetArgoWorkflowsServer :one
SELECT * FROM argo_workflows_servers WHERE name = ?;

-- name: CreateArgoWorkflowsServer :one
INSERT INTO argo_workflows_servers (name, url, namespace, token, insecure, ca_bundle, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)
RETURNING *;

-- name: UpdateArgoWorkflowsServer :one
UPDATE argo_workflows_servers
SET name = ?, url = ?, namespace = ?, token = ?, insecure = ?, ca_bundle = ?, updated_at = ?
WHERE id = ?
RETURNING *;

-- name: DeleteArgoWorkflowsServer :exec
DELETE FROM argo_workflows_servers WHERE id = ?;

-- name: GetArgoStepWorkflow :one
SELECT * FROM argo_step_workflows WHERE step_run_id = ?;

-- name: CreateArgoStepWorkflow :one
-- Keeps the workflow already chosen for a step run: a restarted step watches the same one.
INSERT INTO argo_step_workflows (step_run_id, release_id, server, name)
VALUES (?, ?, ?, ?)
ON CONFLICT (step_run_id) DO UPDATE SET server = argo_step_workflows.server
RETURNING *;

-- name: SetArgoStepWorkflow :exec
UPDATE argo_step_workflows SET submitted = ?, log_cursor = ? WHERE step_run_id = ?;

-- name: ListOpenArgoStepWorkflows :many
-- The workflows of a release that may still run on their server, with the scope of their step.
SELECT a.step_run_id, a.server, a.name, s.workflow_run_id, w.scope
FROM argo_step_workflows a
JOIN step_runs s ON s.id = a.step_run_id
JOIN workflow_runs w ON w.id = s.workflow_run_id
WHERE a.release_id = ? AND a.done = 0 AND a.submitted = 1
ORDER BY a.step_run_id;

-- name: FinishArgoStepWorkflow :exec
UPDATE argo_step_workflows SET done = 1 WHERE step_run_id = ?;
