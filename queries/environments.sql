-- name: ListEnvironments :many
SELECT * FROM environments ORDER BY position, name;

-- name: GetEnvironment :one
SELECT * FROM environments WHERE name = ?;

-- name: CountEnvironmentsByName :one
SELECT CAST(COUNT(*) AS INTEGER) FROM environments WHERE name = ?;

-- name: NextEnvironmentPosition :one
SELECT CAST(COALESCE(MAX(position), 0) + 1 AS INTEGER) FROM environments;

-- name: CreateEnvironment :one
INSERT INTO environments (name, kind, position, tags, description, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?)
RETURNING *;

-- name: UpdateEnvironment :one
UPDATE environments
SET name = ?, kind = ?, tags = ?, description = ?, updated_at = ?
WHERE id = ?
RETURNING *;

-- name: SetEnvironmentPosition :exec
UPDATE environments SET position = ?, updated_at = ? WHERE id = ?;

-- name: SetEnvironmentFreeze :one
UPDATE environments
SET frozen = ?, freeze_reason = ?, frozen_until = ?, updated_at = ?
WHERE id = ?
RETURNING *;

-- name: DeleteEnvironment :exec
DELETE FROM environments WHERE id = ?;
