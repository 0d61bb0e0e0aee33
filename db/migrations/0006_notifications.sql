-- +goose Up
-- Outgoing notifications. A trigger records every status change of a release or of one of its
-- target environments, in the transaction that makes it; the notifier reads them in order
-- (remembering how far it got) and queues one delivery per matching channel. Deliveries are
-- sent, retried with backoff and kept here so failures show on the notifications page. The
-- runner knows nothing of any of this, and a failing receiver never slows a release.
CREATE TABLE notification_channels (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    kind       TEXT NOT NULL,              -- webhook (generic JSON) or slack (incoming webhook)
    url        TEXT NOT NULL,
    product    TEXT NOT NULL DEFAULT '',   -- '' for every product
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE release_status_changes (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    release_id TEXT NOT NULL,
    scope      TEXT NOT NULL,              -- release or environment
    subject    TEXT NOT NULL DEFAULT '',   -- the environment's name
    old_status TEXT NOT NULL,
    new_status TEXT NOT NULL,
    blocker    TEXT NOT NULL DEFAULT '',
    error      TEXT NOT NULL DEFAULT ''
);

-- +goose StatementBegin
CREATE TRIGGER release_status_changed AFTER UPDATE OF status ON releases
WHEN OLD.status IS NOT NEW.status
BEGIN
    INSERT INTO release_status_changes (release_id, scope, subject, old_status, new_status, blocker, error)
    VALUES (NEW.id, 'release', '', OLD.status, NEW.status, NEW.blocker, NEW.error);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER release_environment_status_changed AFTER UPDATE OF status ON release_environments
WHEN OLD.status IS NOT NEW.status AND NOT NEW.is_trigger
BEGIN
    INSERT INTO release_status_changes (release_id, scope, subject, old_status, new_status, blocker, error)
    VALUES (NEW.release_id, 'environment', NEW.name, OLD.status, NEW.status, NEW.blocker, NEW.error);
END;
-- +goose StatementEnd

CREATE TABLE notification_cursor (
    name    TEXT PRIMARY KEY,
    last_id INTEGER NOT NULL
);

CREATE TABLE notification_deliveries (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    channel_id      INTEGER NOT NULL REFERENCES notification_channels (id) ON DELETE CASCADE,
    event           TEXT NOT NULL,
    payload         TEXT NOT NULL,         -- the body exactly as sent
    status          TEXT NOT NULL,         -- pending, delivered or failed (gave up)
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMP NOT NULL,
    delivered_at    TIMESTAMP
);
CREATE INDEX notification_deliveries_pending ON notification_deliveries (status, channel_id, id);

-- +goose Down
DROP TABLE notification_deliveries;
DROP TABLE notification_cursor;
DROP TRIGGER release_environment_status_changed;
DROP TRIGGER release_status_changed;
DROP TABLE release_status_changes;
DROP TABLE notification_channels;
