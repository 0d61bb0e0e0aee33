-- +goose Up
-- A release is one run of a product through a flow. Its plan (the flow graph, resolved settings,
-- the values to promote and the target applications) is frozen into the rows below when the
-- release is created, so later changes to the model never change a running release.
CREATE TABLE releases (
    id              TEXT PRIMARY KEY,          -- sortable, URL-safe
    product         TEXT NOT NULL,
    number          INTEGER NOT NULL,          -- per product, from 1
    flow            TEXT NOT NULL DEFAULT '',  -- '' for a manual single promotion
    version         TEXT NOT NULL DEFAULT '',
    trigger_env     TEXT NOT NULL,
    source_app      TEXT NOT NULL,
    trigger_sha     TEXT NOT NULL DEFAULT '',
    trigger_message TEXT NOT NULL DEFAULT '',
    trigger_author  TEXT NOT NULL DEFAULT '',
    trigger_branch  TEXT NOT NULL DEFAULT '',
    trigger_date    TIMESTAMP,
    initiator       TEXT NOT NULL,
    status          TEXT NOT NULL,
    blocker         TEXT NOT NULL DEFAULT '',
    error           TEXT NOT NULL DEFAULT '',
    plan            TEXT NOT NULL,             -- JSON: template, values, timeout, hooks
    timeout_minutes INTEGER NOT NULL DEFAULT 1440,
    created_at      TIMESTAMP NOT NULL,
    started_at      TIMESTAMP,
    finished_at     TIMESTAMP,
    UNIQUE (product, number)
);
CREATE INDEX releases_product_status ON releases (product, status, id);
CREATE INDEX releases_status ON releases (status, id);

CREATE TABLE release_environments (
    release_id  TEXT NOT NULL REFERENCES releases (id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    position    INTEGER NOT NULL,
    is_trigger  BOOLEAN NOT NULL DEFAULT 0,
    depends_on  TEXT NOT NULL DEFAULT '[]',    -- JSON list of environment names
    settings    TEXT NOT NULL DEFAULT '{}',    -- JSON: resolved settings with origins
    status      TEXT NOT NULL,
    blocker     TEXT NOT NULL DEFAULT '',
    error       TEXT NOT NULL DEFAULT '',
    started_at  TIMESTAMP,
    finished_at TIMESTAMP,
    PRIMARY KEY (release_id, name)
);

CREATE TABLE release_applications (
    release_id       TEXT NOT NULL REFERENCES releases (id) ON DELETE CASCADE,
    environment      TEXT NOT NULL,
    name             TEXT NOT NULL,
    position         INTEGER NOT NULL,
    repo_url         TEXT NOT NULL,
    branch           TEXT NOT NULL DEFAULT '',
    path             TEXT NOT NULL DEFAULT '.',
    phase            TEXT NOT NULL,             -- the next thing to do: action, verify, done
    status           TEXT NOT NULL,
    commit_sha       TEXT NOT NULL DEFAULT '',
    pull_request_url TEXT NOT NULL DEFAULT '',
    result           TEXT NOT NULL DEFAULT '',  -- "no changes", "pushed", ...
    error            TEXT NOT NULL DEFAULT '',
    started_at       TIMESTAMP,
    finished_at      TIMESTAMP,
    PRIMARY KEY (release_id, environment, name)
);

-- Work for the runner. A worker leases a job; a job whose lease ran out (its worker died) is
-- taken over by another.
CREATE TABLE jobs (
    id          INTEGER PRIMARY KEY,
    release_id  TEXT NOT NULL,
    kind        TEXT NOT NULL,
    environment TEXT NOT NULL DEFAULT '',
    application TEXT NOT NULL DEFAULT '',
    run_after   TIMESTAMP NOT NULL,
    lease_owner TEXT NOT NULL DEFAULT '',
    lease_until TIMESTAMP,
    attempts    INTEGER NOT NULL DEFAULT 0,
    generation  INTEGER NOT NULL DEFAULT 0, -- bumped when the job is asked for again while it runs
    created_at  TIMESTAMP NOT NULL,
    UNIQUE (release_id, kind, environment, application)
);
CREATE INDEX jobs_due ON jobs (run_after, id);

-- Everything that happened to a release, in order; the live page replays from here.
CREATE TABLE release_events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    release_id TEXT NOT NULL,
    kind       TEXT NOT NULL,
    subject    TEXT NOT NULL DEFAULT '',
    message    TEXT NOT NULL DEFAULT '',
    at         TIMESTAMP NOT NULL
);
CREATE INDEX release_events_release ON release_events (release_id, id);

-- +goose Down
DROP TABLE release_events;
DROP TABLE jobs;
DROP TABLE release_applications;
DROP TABLE release_environments;
DROP TABLE releases;
