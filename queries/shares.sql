-- name: CreateShareLink :one
INSERT INTO share_links (release_id, hash, created_by, created_at, expires_at)
VALUES (?, ?, ?, ?, ?)
RETURNING *;

-- name: GetShareLink :one
SELECT * FROM share_links WHERE id = ?;

-- name: GetShareLinkByHash :one
SELECT * FROM share_links WHERE hash = ?;

-- name: ListShareLinksOfRelease :many
SELECT * FROM share_links WHERE release_id = ? ORDER BY id DESC;

-- name: ListShareLinks :many
SELECT s.*, r.product, r.number FROM share_links s JOIN releases r ON r.id = s.release_id
ORDER BY s.revoked_at IS NOT NULL, s.id DESC
LIMIT ?;

-- name: RevokeShareLink :exec
UPDATE share_links SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL;
