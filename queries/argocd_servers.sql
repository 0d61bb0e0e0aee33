-- name: ListArgocdServers :many
SELECT * FROM argocd_servers ORDER BY name;

-- name: GetArgocdServer :one
SELECT * FROM argocd_servers WHERE name = ?;

-- name: CreateArgocdServer :one
INSERT INTO argocd_servers (name, url, token, insecure, ca_bundle, sync_after_promotion, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)
RETURNING *;

-- name: UpdateArgocdServer :one
UPDATE argocd_servers
SET name = ?, url = ?, token = ?, insecure = ?, ca_bundle = ?, sync_after_promotion = ?, updated_at = ?
WHERE id = ?
RETURNING *;

-- name: DeleteArgocdServer :exec
DELETE FROM argocd_servers WHERE id = ?;

-- name: ListApplicationsOfArgocdServer :many
SELECT CAST(e.name || '/' || a.name AS TEXT) AS application FROM applications a
JOIN environments e ON e.id = a.environment_id
WHERE a.argocd_server = ?
ORDER BY e.position, a.name;
