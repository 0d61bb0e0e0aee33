-- +goose Up
-- Where the copy of an Argo workflow's log stands: per pod, the timestamp of the last line copied
-- (JSON). The server merges its pods' lines by time, so a count of lines cannot say which were copied.
ALTER TABLE argo_step_workflows ADD COLUMN log_cursor TEXT NOT NULL DEFAULT '{}';

-- Commit statuses posted to Git hosts: one per release, environment and commit, with the state
-- last posted, so a status is sent again only when it changes.
CREATE TABLE commit_statuses (
    release_id  TEXT NOT NULL,
    environment TEXT NOT NULL,
    repo_url    TEXT NOT NULL,
    sha         TEXT NOT NULL,
    state       TEXT NOT NULL,
    updated_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (release_id, environment, repo_url, sha)
);

-- Pull requests of a terminated or superseded release that were closed (with a comment linking
-- the release) and whose branch was deleted.
CREATE TABLE closed_pull_requests (
    url        TEXT PRIMARY KEY,
    release_id TEXT NOT NULL,
    closed_at  TIMESTAMP NOT NULL
);

-- +goose Down
DROP TABLE closed_pull_requests;
DROP TABLE commit_statuses;
ALTER TABLE argo_step_workflows DROP COLUMN log_cursor;
