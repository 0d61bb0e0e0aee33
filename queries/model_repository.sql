-- name: GetModelRepository :one
SELECT * FROM model_repository WHERE id = 1;

-- name: SetModelRepository :exec
INSERT INTO model_repository (id, url, branch, path, credential, updated_at) VALUES (1, ?, ?, ?, ?, ?)
ON CONFLICT (id) DO UPDATE SET url = excluded.url, branch = excluded.branch, path = excluded.path,
    credential = excluded.credential, updated_at = excluded.updated_at;

-- name: DeleteModelRepository :exec
DELETE FROM model_repository WHERE id = 1;

-- name: CreateModelRepositoryAttempt :one
INSERT INTO model_repository_attempts (location, commit_sha, at, result, message, problems, changes)
VALUES (?, ?, ?, ?, ?, ?, ?)
RETURNING *;

-- name: LastModelRepositoryAttempt :one
SELECT * FROM model_repository_attempts ORDER BY id DESC LIMIT 1;

-- name: ListModelRepositoryAttempts :many
SELECT * FROM model_repository_attempts ORDER BY id DESC LIMIT ?;
