-- +goose Up
-- Signed-in browser sessions. The cookie carries a random session id; only its SHA-256 is kept
-- here. A session lives while its row does: signing out, changing the password, disabling the
-- user and an admin's "sign out everywhere" delete rows, and the next request with that cookie
-- is anonymous.
CREATE TABLE sessions (
    id         INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE, -- hex SHA-256 of the session id in the cookie
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    user_agent TEXT NOT NULL DEFAULT '', -- as the browser sent it at sign-in, cut to 200 characters
    address    TEXT NOT NULL DEFAULT ''  -- the client address at sign-in
);
CREATE INDEX sessions_user ON sessions (user_id, created_at);
CREATE INDEX sessions_created ON sessions (created_at);

-- +goose Down
DROP TABLE sessions;
