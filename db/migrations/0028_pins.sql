-- +goose Up
-- A pin holds a product at a version in one environment, usually set when it was rolled back
-- there. Automatic releases wait at a pinned environment until it is unpinned; a person must
-- confirm a promotion into it. Pins follow their product and environment through renames and
-- go with them when either is deleted.
CREATE TABLE pins (
    id             INTEGER PRIMARY KEY,
    product_id     INTEGER NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    environment_id INTEGER NOT NULL REFERENCES environments (id) ON DELETE CASCADE,
    version        TEXT NOT NULL,
    reason         TEXT NOT NULL DEFAULT '',
    release_id     TEXT NOT NULL DEFAULT '',
    pinned_by      TEXT NOT NULL,
    created_at     TIMESTAMP NOT NULL,
    UNIQUE (product_id, environment_id)
);
CREATE INDEX pins_environment ON pins (environment_id);

-- +goose Down
DROP TABLE pins;
