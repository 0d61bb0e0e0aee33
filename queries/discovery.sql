-- name: GetDiscovery :one
SELECT s.id AS server_id, s.name AS server, COALESCE(d.enabled, 0) AS enabled,
       COALESCE(d.projects, '') AS projects, COALESCE(d.app_namespace, '') AS app_namespace,
       COALESCE(d.selector, '') AS selector,
       COALESCE(d.product_annotation, 'ladder.dev/product') AS product_annotation,
       COALESCE(d.environment_annotation, 'ladder.dev/environment') AS environment_annotation,
       d.polled_at, COALESCE(d.poll_error, '') AS poll_error
FROM argocd_servers s
LEFT JOIN argocd_discovery d ON d.server_id = s.id
WHERE s.name = ?;

-- name: ListDiscoveringServers :many
SELECT s.name FROM argocd_servers s JOIN argocd_discovery d ON d.server_id = s.id
WHERE d.enabled ORDER BY s.name;

-- name: UpsertDiscovery :exec
INSERT INTO argocd_discovery (server_id, enabled, projects, app_namespace, selector,
                              product_annotation, environment_annotation, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (server_id) DO UPDATE SET enabled = excluded.enabled, projects = excluded.projects,
    app_namespace = excluded.app_namespace, selector = excluded.selector,
    product_annotation = excluded.product_annotation,
    environment_annotation = excluded.environment_annotation, updated_at = excluded.updated_at;

-- name: SetDiscoveryPolled :exec
UPDATE argocd_discovery SET polled_at = ?, poll_error = ? WHERE server_id = ?;

-- name: ListEnvironmentRules :many
SELECT e.name AS environment, COALESCE(r.cluster, '') AS cluster, COALESCE(r.namespace, '') AS namespace
FROM environments e
LEFT JOIN argocd_environment_rules r ON r.environment_id = e.id
ORDER BY e.position, e.name;

-- name: UpsertEnvironmentRule :exec
INSERT INTO argocd_environment_rules (environment_id, cluster, namespace, updated_at)
VALUES (?, ?, ?, ?)
ON CONFLICT (environment_id) DO UPDATE SET cluster = excluded.cluster,
    namespace = excluded.namespace, updated_at = excluded.updated_at;

-- name: DeleteEnvironmentRule :exec
DELETE FROM argocd_environment_rules WHERE environment_id = ?;

-- name: CreateDiscoveredApplication :exec
INSERT INTO discovered_applications (application_id, server_id, refreshed_at) VALUES (?, ?, ?);

-- name: ListDiscoveredApplications :many
SELECT a.id, a.name, e.name AS environment, p.name AS product, a.repo_url, a.branch, a.path,
       a.argocd_app, d.missing_since
FROM discovered_applications d
JOIN applications a ON a.id = d.application_id
JOIN environments e ON e.id = a.environment_id
JOIN products p ON p.id = a.product_id
WHERE d.server_id = ?
ORDER BY p.name, e.position, a.name;

-- name: SetDiscoveredState :exec
UPDATE discovered_applications SET missing_since = ?, refreshed_at = ? WHERE application_id = ?;
