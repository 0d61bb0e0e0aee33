-- +goose Up
CREATE TABLE products (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL UNIQUE,
    tags         TEXT NOT NULL DEFAULT '[]',
    description  TEXT NOT NULL DEFAULT '',
    -- the promotion template as JSON: {versionSource: {file, jsonPath}, promotion: [{file, jsonPaths[]}]}
    template     TEXT NOT NULL DEFAULT '{}',
    -- ordered flows as JSON: [{flow, triggerSelectors: [{key, operator, values[]}]}]
    flows        TEXT NOT NULL DEFAULT '[]',
    concurrency  TEXT NOT NULL DEFAULT 'queue' CHECK (concurrency IN ('queue', 'terminate')),
    queue_limit  INTEGER NOT NULL DEFAULT 50 CHECK (queue_limit >= 1),
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL
);

CREATE TABLE applications (
    id             INTEGER PRIMARY KEY,
    name           TEXT NOT NULL,
    environment_id INTEGER NOT NULL REFERENCES environments (id) ON DELETE RESTRICT,
    product_id     INTEGER NOT NULL REFERENCES products (id) ON DELETE RESTRICT,
    repo_url       TEXT NOT NULL,
    branch         TEXT NOT NULL DEFAULT '',
    path           TEXT NOT NULL DEFAULT '.',
    argocd_server  TEXT NOT NULL DEFAULT '',
    argocd_app     TEXT NOT NULL DEFAULT '',
    health_url     TEXT NOT NULL DEFAULT '',
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL,
    UNIQUE (environment_id, name)
);
CREATE INDEX applications_product ON applications (product_id, name);

CREATE TABLE git_credentials (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    url_prefix  TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL CHECK (kind IN ('https', 'ssh')),
    username    TEXT NOT NULL DEFAULT '',
    -- AES-GCM ciphertext of the token (https) or the private key (ssh); never plaintext
    secret      BLOB NOT NULL,
    known_hosts TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);

-- +goose Down
DROP TABLE git_credentials;
DROP TABLE applications;
DROP TABLE products;
