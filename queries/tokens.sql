-- name: ListTokens :many
SELECT * FROM api_tokens ORDER BY revoked_at IS NOT NULL, name, id;

-- name: GetToken :one
SELECT * FROM api_tokens WHERE id = ?;

-- name: GetActiveTokenByHash :one
SELECT * FROM api_tokens WHERE hash = ? AND revoked_at IS NULL;

-- name: CountActiveTokensByName :one
SELECT CAST(COUNT(*) AS INTEGER) FROM api_tokens WHERE name = ? AND revoked_at IS NULL;

-- name: CreateToken :one
INSERT INTO api_tokens (name, role, hash, created_by, created_at)
VALUES (?, ?, ?, ?, ?)
RETURNING *;

-- name: TouchToken :exec
UPDATE api_tokens SET last_used_at = ?
WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?);

-- name: RevokeToken :exec
UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL;
