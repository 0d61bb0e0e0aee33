-- +goose Up
-- Nested structures (workflow steps, policy selectors, flow steps and hooks) are JSON text,
-- decoded into Go types by their services. What other entities need to look up by name
-- (the workflows and environments a flow uses) is also kept in flow_references, indexed.
CREATE TABLE workflows (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    timeout     TEXT NOT NULL DEFAULT '30m',
    steps       TEXT NOT NULL DEFAULT '[]',
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);

CREATE TABLE policies (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    priority    INTEGER NOT NULL DEFAULT 0,
    selector    TEXT NOT NULL DEFAULT '{}',
    pre_action  TEXT NOT NULL DEFAULT '',
    action      TEXT NOT NULL DEFAULT '' CHECK (action IN ('', 'commit', 'pull-request', 'none')),
    post_action TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);
CREATE INDEX policies_priority ON policies (priority DESC, name);
CREATE INDEX policies_pre_action ON policies (pre_action);
CREATE INDEX policies_post_action ON policies (post_action);

CREATE TABLE flows (
    id                  INTEGER PRIMARY KEY,
    name                TEXT NOT NULL UNIQUE,
    description         TEXT NOT NULL DEFAULT '',
    version             TEXT NOT NULL DEFAULT '',
    trigger_environment TEXT NOT NULL,
    steps               TEXT NOT NULL DEFAULT '[]',
    hooks               TEXT NOT NULL DEFAULT '{}',
    timeout_minutes     INTEGER NOT NULL DEFAULT 1440,
    created_at          TIMESTAMP NOT NULL,
    updated_at          TIMESTAMP NOT NULL
);

CREATE TABLE flow_references (
    flow_id INTEGER NOT NULL REFERENCES flows (id) ON DELETE CASCADE,
    kind    TEXT NOT NULL CHECK (kind IN ('environment', 'workflow')),
    name    TEXT NOT NULL,
    PRIMARY KEY (flow_id, kind, name)
);
CREATE INDEX flow_references_name ON flow_references (kind, name);

-- +goose Down
DROP TABLE flow_references;
DROP TABLE flows;
DROP TABLE policies;
DROP TABLE workflows;
