-- +goose Up
-- Discovery of applications from an Argo CD server: which applications to list (projects,
-- the namespace they live in, a label selector) and the annotations that name their product and
-- environment.
CREATE TABLE argocd_discovery (
    server_id              INTEGER PRIMARY KEY REFERENCES argocd_servers (id) ON DELETE CASCADE,
    enabled                BOOLEAN NOT NULL DEFAULT 0,
    projects               TEXT NOT NULL DEFAULT '',  -- comma-separated; empty: all
    app_namespace          TEXT NOT NULL DEFAULT '',  -- empty: every namespace Argo CD watches
    selector               TEXT NOT NULL DEFAULT '',  -- Kubernetes label selector
    product_annotation     TEXT NOT NULL DEFAULT 'ladder.dev/product',
    environment_annotation TEXT NOT NULL DEFAULT 'ladder.dev/environment',
    polled_at              TIMESTAMP,
    poll_error             TEXT NOT NULL DEFAULT '',
    updated_at             TIMESTAMP NOT NULL
);

-- How an Argo CD application without an environment annotation finds its environment: by its
-- destination cluster (name or server URL) and namespace; an empty namespace matches any.
CREATE TABLE argocd_environment_rules (
    environment_id INTEGER PRIMARY KEY REFERENCES environments (id) ON DELETE CASCADE,
    cluster        TEXT NOT NULL,
    namespace      TEXT NOT NULL DEFAULT '',
    updated_at     TIMESTAMP NOT NULL
);

-- Applications that came from Argo CD: their repository, branch and path follow the Argo CD
-- application; one that Argo CD no longer lists is marked missing, never removed.
CREATE TABLE discovered_applications (
    application_id INTEGER PRIMARY KEY REFERENCES applications (id) ON DELETE CASCADE,
    server_id      INTEGER NOT NULL REFERENCES argocd_servers (id) ON DELETE CASCADE,
    missing_since  TIMESTAMP,
    refreshed_at   TIMESTAMP NOT NULL
);
CREATE INDEX discovered_applications_server ON discovered_applications (server_id);

-- +goose Down
DROP TABLE discovered_applications;
DROP TABLE argocd_environment_rules;
DROP TABLE argocd_discovery;
