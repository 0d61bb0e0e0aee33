-- +goose Up
CREATE TABLE users (
    id                   INTEGER PRIMARY KEY,
    name                 TEXT NOT NULL UNIQUE,
    subject              TEXT UNIQUE,            -- issuer + "|" + sub for single sign-on users; NULL for the local admin
    email                TEXT NOT NULL DEFAULT '',
    groups               TEXT NOT NULL DEFAULT '[]', -- JSON list, as the identity provider sent it at the last sign-in
    group_role           TEXT NOT NULL DEFAULT 'viewer' CHECK (group_role IN ('viewer', 'promoter', 'admin')),
    role_override        TEXT NOT NULL DEFAULT '' CHECK (role_override IN ('', 'viewer', 'promoter', 'admin')),
    password_hash        TEXT NOT NULL DEFAULT '', -- bcrypt; only the local admin has one
    must_change_password BOOLEAN NOT NULL DEFAULT 0,
    disabled             BOOLEAN NOT NULL DEFAULT 0,
    last_sign_in_at      TIMESTAMP,
    created_at           TIMESTAMP NOT NULL,
    updated_at           TIMESTAMP NOT NULL
);

CREATE TABLE access_rules (
    id                INTEGER PRIMARY KEY,
    group_name        TEXT NOT NULL,
    permission        TEXT NOT NULL CHECK (permission IN ('promote', 'approve')),
    environment_names TEXT NOT NULL DEFAULT '[]', -- JSON list; empty matches every environment
    environment_kinds TEXT NOT NULL DEFAULT '[]', -- JSON list; empty matches every kind
    created_at        TIMESTAMP NOT NULL
);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL,
    role         TEXT NOT NULL CHECK (role IN ('viewer', 'promoter', 'admin')),
    hash         TEXT NOT NULL UNIQUE, -- hex SHA-256 of the token; the token itself is never stored
    created_by   TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP,
    revoked_at   TIMESTAMP
);
CREATE UNIQUE INDEX api_tokens_active_name ON api_tokens (name) WHERE revoked_at IS NULL;

CREATE INDEX audit_log_actor ON audit_log (actor, at, id);
CREATE INDEX audit_log_kind_at ON audit_log (entity_kind, at, id);

-- +goose Down
DROP INDEX audit_log_kind_at;
DROP INDEX audit_log_actor;
DROP TABLE api_tokens;
DROP TABLE access_rules;
DROP TABLE users;
