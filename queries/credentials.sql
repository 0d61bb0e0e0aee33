-- name: ListGitCredentials :many
SELECT * FROM git_credentials ORDER BY name;

-- name: GetGitCredential :one
SELECT * FROM git_credentials WHERE name = ?;

-- name: GetGitCredentialByPrefix :one
SELECT name FROM git_credentials WHERE url_prefix = ?;

-- name: CreateGitCredential :one
INSERT INTO git_credentials (name, url_prefix, kind, username, secret, known_hosts, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)
RETURNING *;

-- name: UpdateGitCredential :one
UPDATE git_credentials
SET name = ?, url_prefix = ?, kind = ?, username = ?, secret = ?, known_hosts = ?, updated_at = ?
WHERE id = ?
RETURNING *;

-- name: DeleteGitCredential :exec
DELETE FROM git_credentials WHERE id = ?;
