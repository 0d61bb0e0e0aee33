-- +goose Up
-- Argo CD servers that applications link to for sync and health verification. The bearer token
-- is sealed with the secret key (AES-GCM) and never stored or shown in plain text.
CREATE TABLE argocd_servers (
    id                   INTEGER PRIMARY KEY,
    name                 TEXT NOT NULL UNIQUE,
    url                  TEXT NOT NULL,
    token                BLOB NOT NULL,
    insecure             BOOLEAN NOT NULL DEFAULT 0, -- skip TLS verification (test installations)
    ca_bundle            TEXT NOT NULL DEFAULT '',   -- PEM certificates trusted besides the system's
    sync_after_promotion BOOLEAN NOT NULL DEFAULT 0, -- ask Argo CD to sync once a promotion landed
    created_at           TIMESTAMP NOT NULL,
    updated_at           TIMESTAMP NOT NULL
);

-- Git hosting providers (GitHub, GitLab, Gitea/Forgejo) that open pull requests for the
-- repositories under their URL prefix, and whose push webhooks Ladder accepts.
CREATE TABLE git_providers (
    id             INTEGER PRIMARY KEY,
    name           TEXT NOT NULL UNIQUE,
    kind           TEXT NOT NULL CHECK (kind IN ('github', 'gitlab', 'gitea')),
    base_url       TEXT NOT NULL DEFAULT '',
    url_prefix     TEXT NOT NULL UNIQUE,
    token          BLOB NOT NULL,              -- sealed API token
    webhook_secret BLOB,                       -- sealed push webhook secret; NULL: none
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL
);

-- What the automatic trigger has seen of each watched application: the last branch head (the
-- baseline), for the location it was seen at, and a change waiting for Argo CD to sync the
-- trigger application before its release starts.
CREATE TABLE watches (
    application_id  INTEGER PRIMARY KEY REFERENCES applications (id) ON DELETE CASCADE,
    location        TEXT NOT NULL,             -- repo URL, branch and path the head belongs to
    head            TEXT NOT NULL,
    pending_flow    TEXT NOT NULL DEFAULT '',
    pending_sha     TEXT NOT NULL DEFAULT '',
    pending_message TEXT NOT NULL DEFAULT '',
    pending_author  TEXT NOT NULL DEFAULT '',
    pending_date    TIMESTAMP,
    pending_blocker TEXT NOT NULL DEFAULT '',  -- what Argo CD reported last
    updated_at      TIMESTAMP NOT NULL
);

-- A release keeps how each target application is verified, as it was when the release began.
ALTER TABLE release_applications ADD COLUMN argocd_server TEXT NOT NULL DEFAULT '';
ALTER TABLE release_applications ADD COLUMN argocd_app TEXT NOT NULL DEFAULT '';
ALTER TABLE release_applications ADD COLUMN health_url TEXT NOT NULL DEFAULT '';
-- When the application entered its current phase (verify timeouts count from here).
ALTER TABLE release_applications ADD COLUMN phase_started_at TIMESTAMP;

-- +goose Down
ALTER TABLE release_applications DROP COLUMN phase_started_at;
ALTER TABLE release_applications DROP COLUMN health_url;
ALTER TABLE release_applications DROP COLUMN argocd_app;
ALTER TABLE release_applications DROP COLUMN argocd_server;
DROP TABLE watches;
DROP TABLE git_providers;
DROP TABLE argocd_servers;
