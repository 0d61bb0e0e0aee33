-- +goose Up
-- Freeze windows: scheduled freezes. A window is either recurring (a 5-field cron expression
-- for its start, read in its time zone, and a duration counted on that zone's clock) or a
-- fixed range of two instants. It selects environments as policies do (names, kinds, tags)
-- and, optionally, one product ('' = every product).
CREATE TABLE freeze_windows (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL UNIQUE,
    schedule     TEXT NOT NULL DEFAULT '',
    duration     INTEGER NOT NULL DEFAULT 0, -- minutes, for a recurring window
    starts_at    TIMESTAMP,                  -- a fixed window's range
    ends_at      TIMESTAMP,
    time_zone    TEXT NOT NULL,
    environments TEXT NOT NULL DEFAULT '{}', -- JSON {names, kinds, tags}
    product      TEXT NOT NULL DEFAULT '',
    reason       TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL
);

-- A release's environment may go through freeze windows once someone allowed to overrode
-- them for it; the text records who and why.
ALTER TABLE release_environments ADD COLUMN freeze_override TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE release_environments DROP COLUMN freeze_override;
DROP TABLE freeze_windows;
