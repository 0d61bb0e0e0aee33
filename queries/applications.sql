-- name: ListApplications :many
SELECT a.id, a.name, e.name AS environment, p.name AS product, a.repo_url, a.branch, a.path,
       a.argocd_server, a.argocd_app, a.health_url, a.created_at, a.updated_at,
       COALESCE(s.name, '') AS discovered_from, d.missing_since
FROM applications a
JOIN environments e ON e.id = a.environment_id
JOIN products p ON p.id = a.product_id
LEFT JOIN discovered_applications d ON d.application_id = a.id
LEFT JOIN argocd_servers s ON s.id = d.server_id
ORDER BY p.name, e.position, a.name;

-- name: ListApplicationsByProduct :many
SELECT a.id, a.name, e.name AS environment, p.name AS product, a.repo_url, a.branch, a.path,
       a.argocd_server, a.argocd_app, a.health_url, a.created_at, a.updated_at,
       COALESCE(s.name, '') AS discovered_from, d.missing_since
FROM applications a
JOIN environments e ON e.id = a.environment_id
JOIN products p ON p.id = a.product_id
LEFT JOIN discovered_applications d ON d.application_id = a.id
LEFT JOIN argocd_servers s ON s.id = d.server_id
WHERE p.name = ?
ORDER BY e.position, a.name;

-- name: ListApplicationsByEnvironment :many
SELECT a.id, a.name, e.name AS environment, p.name AS product, a.repo_url, a.branch, a.path,
       a.argocd_server, a.argocd_app, a.health_url, a.created_at, a.updated_at,
       COALESCE(s.name, '') AS discovered_from, d.missing_since
FROM applications a
JOIN environments e ON e.id = a.environment_id
JOIN products p ON p.id = a.product_id
LEFT JOIN discovered_applications d ON d.application_id = a.id
LEFT JOIN argocd_servers s ON s.id = d.server_id
WHERE e.name = ?
ORDER BY p.name, a.name;

-- name: GetApplication :one
SELECT a.id, a.name, e.name AS environment, p.name AS product, a.repo_url, a.branch, a.path,
       a.argocd_server, a.argocd_app, a.health_url, a.created_at, a.updated_at,
       COALESCE(s.name, '') AS discovered_from, d.missing_since
FROM applications a
JOIN environments e ON e.id = a.environment_id
JOIN products p ON p.id = a.product_id
LEFT JOIN discovered_applications d ON d.application_id = a.id
LEFT JOIN argocd_servers s ON s.id = d.server_id
WHERE e.name = ? AND a.name = ?;

-- name: GetEnvironmentID :one
SELECT id FROM environments WHERE name = ?;

-- name: GetProductID :one
SELECT id FROM products WHERE name = ?;

-- name: CountApplicationsByName :one
SELECT CAST(COUNT(*) AS INTEGER) FROM applications WHERE environment_id = ? AND name = ?;

-- name: CreateApplication :one
INSERT INTO applications (name, environment_id, product_id, repo_url, branch, path,
                          argocd_server, argocd_app, health_url, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
RETURNING id;

-- name: UpdateApplication :exec
UPDATE applications
SET name = ?, environment_id = ?, product_id = ?, repo_url = ?, branch = ?, path = ?,
    argocd_server = ?, argocd_app = ?, health_url = ?, updated_at = ?
WHERE id = ?;

-- name: DeleteApplication :exec
DELETE FROM applications WHERE id = ?;
