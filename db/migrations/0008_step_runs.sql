-- +goose Up
-- A release keeps its environments' kinds and hooks (the flow step's pre/post workflows), frozen
-- when it is created like the rest of its plan.
ALTER TABLE release_environments ADD COLUMN kind TEXT NOT NULL DEFAULT '';
ALTER TABLE release_environments ADD COLUMN hooks TEXT NOT NULL DEFAULT '{}'; -- JSON {pre, post}

-- One run of a workflow in one scope of a release: an application's pre- or post-action, an
-- environment's pre or post hook, or a release hook (onStart, onSuccess, onFail). run tells
-- runs of the same scope apart: the Unix milliseconds at which the application, environment or
-- release started, so a retried release runs its workflows afresh.
CREATE TABLE workflow_runs (
    id          INTEGER PRIMARY KEY,
    release_id  TEXT NOT NULL REFERENCES releases (id) ON DELETE CASCADE,
    environment TEXT NOT NULL DEFAULT '',  -- '' for release hooks
    application TEXT NOT NULL DEFAULT '',  -- '' for hooks
    scope       TEXT NOT NULL,             -- pre, post, hook-pre, hook-post, onStart, onSuccess, onFail
    run         INTEGER NOT NULL,
    workflow    TEXT NOT NULL,
    definition  TEXT NOT NULL,             -- JSON: the workflow as it was when the run started
    status      TEXT NOT NULL,             -- RUNNING, SUCCEEDED, FAILED, TERMINATED
    error       TEXT NOT NULL DEFAULT '',
    started_at  TIMESTAMP NOT NULL,
    finished_at TIMESTAMP,
    UNIQUE (release_id, environment, application, scope, run)
);

-- One step of a workflow run. A step recorded SUCCEEDED or FAILED is never run again; one that
-- was RUNNING when the server died is started again from the beginning (attempt counts starts).
CREATE TABLE step_runs (
    id              INTEGER PRIMARY KEY,
    workflow_run_id INTEGER NOT NULL REFERENCES workflow_runs (id) ON DELETE CASCADE,
    release_id      TEXT NOT NULL,
    step_index      INTEGER NOT NULL,
    name            TEXT NOT NULL,
    kind            TEXT NOT NULL,
    status          TEXT NOT NULL,             -- RUNNING, SUSPENDED (waiting), SUCCEEDED, FAILED, TERMINATED
    attempt         INTEGER NOT NULL DEFAULT 1,  -- how many times the step was started
    tries           INTEGER NOT NULL DEFAULT 0,  -- HTTP requests made so far
    blocker         TEXT NOT NULL DEFAULT '',  -- why a waiting step waits
    error           TEXT NOT NULL DEFAULT '',
    log             TEXT NOT NULL DEFAULT '',  -- the last 64 KiB of output
    outputs         TEXT NOT NULL DEFAULT '{}',-- JSON object of key=value outputs
    started_at      TIMESTAMP NOT NULL,
    finished_at     TIMESTAMP,
    UNIQUE (workflow_run_id, step_index)
);
CREATE INDEX step_runs_release ON step_runs (release_id, id);

-- Decisions on approval steps; one per user per step run.
CREATE TABLE approvals (
    id          INTEGER PRIMARY KEY,
    step_run_id INTEGER NOT NULL REFERENCES step_runs (id) ON DELETE CASCADE,
    release_id  TEXT NOT NULL,
    environment TEXT NOT NULL DEFAULT '',
    application TEXT NOT NULL DEFAULT '',
    step        TEXT NOT NULL,
    user        TEXT NOT NULL,
    decision    TEXT NOT NULL,            -- approve or reject
    comment     TEXT NOT NULL DEFAULT '',
    at          TIMESTAMP NOT NULL,
    UNIQUE (step_run_id, user)
);
CREATE INDEX approvals_release ON approvals (release_id, id);

-- +goose Down
DROP TABLE approvals;
DROP TABLE step_runs;
DROP TABLE workflow_runs;
ALTER TABLE release_environments DROP COLUMN hooks;
ALTER TABLE release_environments DROP COLUMN kind;
