-- +goose Up
-- Argo Workflows servers that argo workflow steps submit their checks to. The bearer token is
-- sealed with the secret key (AES-GCM) and never stored or shown in plain text.
CREATE TABLE argo_workflows_servers (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    url        TEXT NOT NULL,
    namespace  TEXT NOT NULL,
    token      BLOB NOT NULL,
    insecure   BOOLEAN NOT NULL DEFAULT 0, -- skip TLS verification (test installations)
    ca_bundle  TEXT NOT NULL DEFAULT '',   -- PEM certificates trusted besides the system's
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- The Argo workflow an argo step submitted. It is stored before the step waits, and outlives a
-- restart of the step, so a restarted Ladder watches the same workflow instead of submitting
-- another. done is set once the workflow ended or was terminated.
CREATE TABLE argo_step_workflows (
    step_run_id INTEGER PRIMARY KEY REFERENCES step_runs (id) ON DELETE CASCADE,
    release_id  TEXT NOT NULL,
    server      TEXT NOT NULL,
    name        TEXT NOT NULL,
    submitted   BOOLEAN NOT NULL DEFAULT 0,
    log_lines   INTEGER NOT NULL DEFAULT 0, -- log lines already copied into the step's log
    done        BOOLEAN NOT NULL DEFAULT 0
);
CREATE INDEX argo_step_workflows_release ON argo_step_workflows (release_id) WHERE done = 0;

-- +goose Down
DROP TABLE argo_step_workflows;
DROP TABLE argo_workflows_servers;
