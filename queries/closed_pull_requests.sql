-- name: ListClosedPullRequests :many
-- The pull requests of a release already closed because it was terminated or superseded.
SELECT url FROM closed_pull_requests WHERE release_id = ?;

-- name: CreateClosedPullRequest :exec
INSERT INTO closed_pull_requests (url, release_id, closed_at) VALUES (?, ?, ?)
ON CONFLICT (url) DO NOTHING;
