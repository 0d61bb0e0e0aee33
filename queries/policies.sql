-- name: ListPolicies :many
SELECT * FROM policies ORDER BY priority DESC, name;

-- name: GetPolicy :one
SELECT * FROM policies WHERE name = ?;

-- name: CountPoliciesByName :one
SELECT CAST(COUNT(*) AS INTEGER) FROM policies WHERE name = ?;

-- name: CreatePolicy :one
INSERT INTO policies (name, priority, selector, pre_action, action, post_action, binding, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
RETURNING *;

-- name: UpdatePolicy :one
UPDATE policies
SET name = ?, priority = ?, selector = ?, pre_action = ?, action = ?, post_action = ?, binding = ?, updated_at = ?
WHERE id = ?
RETURNING *;

-- name: DeletePolicy :exec
DELETE FROM policies WHERE id = ?;
