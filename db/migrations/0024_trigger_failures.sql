-- +goose Up
-- Changes the automatic trigger could not start a release for (a flow step without an action,
-- a missing application, ...): one row per product and commit, shown on the product page, the
-- dashboard and the releases list until a release of that application starts or a newer
-- change of it fails instead.
CREATE TABLE trigger_failures (
    id             INTEGER PRIMARY KEY,
    product        TEXT NOT NULL,
    commit_sha     TEXT NOT NULL,
    application_id INTEGER NOT NULL,
    application    TEXT NOT NULL,
    flow           TEXT NOT NULL,
    commit_message TEXT NOT NULL DEFAULT '',
    reason         TEXT NOT NULL,
    fix_url        TEXT NOT NULL DEFAULT '',
    fix_label      TEXT NOT NULL DEFAULT '',
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL,
    UNIQUE (product, commit_sha)
);
CREATE INDEX trigger_failures_application ON trigger_failures (application_id);

-- +goose Down
DROP TABLE trigger_failures;
