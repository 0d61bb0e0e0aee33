-- +goose Up
-- A share link lets anyone holding its token watch one release's status without signing in.
-- Only the token's SHA-256 is stored; the token is shown once, when the link is made.
CREATE TABLE share_links (
    id         INTEGER PRIMARY KEY,
    release_id TEXT NOT NULL REFERENCES releases (id) ON DELETE CASCADE,
    hash       TEXT NOT NULL UNIQUE, -- hex SHA-256 of the token
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP,            -- NULL: until revoked
    revoked_at TIMESTAMP
);
CREATE INDEX share_links_release ON share_links (release_id, id);

-- The release list filters by product, flow and creation time (the ID starts with it), and the
-- dashboard asks for the newest release per product and environment.
CREATE INDEX releases_product ON releases (product, id);
CREATE INDEX releases_flow ON releases (flow, id);
CREATE INDEX release_environments_name ON release_environments (name, release_id);

-- +goose Down
DROP INDEX release_environments_name;
DROP INDEX releases_flow;
DROP INDEX releases_product;
DROP TABLE share_links;
