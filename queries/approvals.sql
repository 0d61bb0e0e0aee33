-- name: CreateApproval :exec
INSERT INTO approvals (step_run_id, release_id, environment, application, step, user, decision, comment, at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?);

-- name: ListApprovalsOfStep :many
SELECT * FROM approvals WHERE step_run_id = ? ORDER BY id;

-- name: ListApprovalsOfRelease :many
SELECT * FROM approvals WHERE release_id = ? ORDER BY id;
