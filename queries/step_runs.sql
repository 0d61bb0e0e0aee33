-- name: StartWorkflowRun :one
-- Returns the workflow run of a scope, creating it when it does not exist yet.
INSERT INTO workflow_runs (release_id, environment, application, scope, run, workflow, definition, status, started_at)
VALUES (?, ?, ?, ?, ?, ?, ?, 'RUNNING', ?)
ON CONFLICT (release_id, environment, application, scope, run) DO UPDATE SET workflow = workflow_runs.workflow
RETURNING *;

-- name: GetWorkflowRun :one
SELECT * FROM workflow_runs
WHERE release_id = ? AND environment = ? AND application = ? AND scope = ? AND run = ?;

-- name: FinishWorkflowRun :exec
UPDATE workflow_runs SET status = ?, error = ?, finished_at = ? WHERE id = ?;

-- name: ListWorkflowRuns :many
SELECT * FROM workflow_runs WHERE release_id = ? ORDER BY id;

-- name: GetStepRun :one
SELECT * FROM step_runs WHERE workflow_run_id = ? AND step_index = ?;

-- name: GetStepRunByID :one
SELECT * FROM step_runs WHERE id = ?;

-- name: StartStepRun :one
-- Starts a step, or starts it again from the beginning when it was cut short (attempt + 1).
INSERT INTO step_runs (workflow_run_id, release_id, step_index, name, kind, status, started_at)
VALUES (?, ?, ?, ?, ?, 'RUNNING', ?)
ON CONFLICT (workflow_run_id, step_index) DO UPDATE SET status = 'RUNNING', attempt = step_runs.attempt + 1,
    tries = 0, blocker = '', error = '', log = '', outputs = '{}', started_at = excluded.started_at, finished_at = NULL
RETURNING *;

-- name: SetStepRun :execrows
-- Records a step's state unless the step already ended (a termination ends waiting steps
-- while their job may still be looking at them).
UPDATE step_runs SET status = ?, blocker = ?, error = ?, outputs = ?, tries = ?, finished_at = ?
WHERE id = ? AND finished_at IS NULL;

-- name: SetStepLog :exec
UPDATE step_runs SET log = ? WHERE id = ?;

-- name: ListStepRunsOfRelease :many
SELECT s.id, s.workflow_run_id, s.step_index, s.name, s.kind, s.status, s.attempt, s.tries, s.blocker,
    s.error, s.log, s.started_at, s.finished_at, w.environment, w.application, w.scope, w.workflow, w.run
FROM step_runs s JOIN workflow_runs w ON w.id = s.workflow_run_id
WHERE s.release_id = ?
ORDER BY s.id;

-- name: ListReleaseOutputs :many
-- The outputs of a release's finished steps, oldest first: later ones override earlier ones.
SELECT outputs FROM step_runs
WHERE release_id = ? AND status = 'SUCCEEDED' AND outputs != '{}'
ORDER BY finished_at, id;

-- name: DeleteLogEvents :exec
-- A running step's log is announced by one event that is replaced as the log grows, so the
-- history keeps no trace of each batch.
DELETE FROM release_events WHERE release_id = ? AND kind = 'log' AND subject = ?;

-- name: ExtendJobLease :exec
UPDATE jobs SET lease_until = ?
WHERE release_id = ? AND kind = ? AND environment = ? AND application = ? AND lease_owner = ?;

-- name: GetWorkflowRunByID :one
SELECT * FROM workflow_runs WHERE id = ?;

-- name: EndWaitingSteps :execrows
-- Ends every waiting step of a release (a termination: nothing waits on people any more).
UPDATE step_runs SET status = ?, error = ?, blocker = '', finished_at = ?
WHERE release_id = ? AND status = 'SUSPENDED';
