-- name: ListGitProviders :many
SELECT * FROM git_providers ORDER BY name;

-- name: GetGitProvider :one
SELECT * FROM git_providers WHERE name = ?;

-- name: GetGitProviderByPrefix :one
SELECT name FROM git_providers WHERE url_prefix = ?;

-- name: CreateGitProvider :one
INSERT INTO git_providers (name, kind, base_url, url_prefix, token, webhook_secret, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)
RETURNING *;

-- name: UpdateGitProvider :one
UPDATE git_providers
SET name = ?, kind = ?, base_url = ?, url_prefix = ?, token = ?, webhook_secret = ?, updated_at = ?
WHERE id = ?
RETURNING *;

-- name: DeleteGitProvider :exec
DELETE FROM git_providers WHERE id = ?;
