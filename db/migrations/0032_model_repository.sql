-- +goose Up
-- The reference a setting applied from a model file takes its secret from (a name and key
-- in the secrets supplied with the file), so that export writes the reference back. The
-- secret itself stays sealed in the setting's own table.
CREATE TABLE model_secret_refs (
    kind     TEXT NOT NULL, -- the document kind: GitCredential, ArgoCDServer, ...
    name     TEXT NOT NULL, -- the setting's name
    field    TEXT NOT NULL, -- the spec field: secretRef, tokenRef, urlRef, ...
    ref_name TEXT NOT NULL,
    ref_key  TEXT NOT NULL,
    PRIMARY KEY (kind, name, field)
);

-- The Git repository the model is applied from: one row, or none when it is not set.
CREATE TABLE model_repository (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    url        TEXT NOT NULL,
    branch     TEXT NOT NULL DEFAULT 'main',
    path       TEXT NOT NULL DEFAULT '',
    credential TEXT NOT NULL DEFAULT '', -- a Git credential's name; '' matches by URL prefix
    updated_at TIMESTAMP NOT NULL
);

-- Each attempt to apply the model repository: the commit read, what came of it (applied,
-- refused or error), the problems (JSON list) and the changes (JSON list).
CREATE TABLE model_repository_attempts (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    location   TEXT NOT NULL, -- url@branch:path, so a new setting is applied afresh
    commit_sha TEXT NOT NULL DEFAULT '',
    at         TIMESTAMP NOT NULL,
    result     TEXT NOT NULL,
    message    TEXT NOT NULL DEFAULT '',
    problems   TEXT NOT NULL DEFAULT '[]',
    changes    TEXT NOT NULL DEFAULT '[]'
);

-- +goose Down
DROP TABLE model_repository_attempts;
DROP TABLE model_repository;
DROP TABLE model_secret_refs;
