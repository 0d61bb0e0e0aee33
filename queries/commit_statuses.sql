-- name: ListCommitStatuses :many
-- The statuses posted for a release, with the state last posted.
SELECT * FROM commit_statuses WHERE release_id = ?;

-- name: SetCommitStatus :exec
INSERT INTO commit_statuses (release_id, environment, repo_url, sha, state, updated_at)
VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (release_id, environment, repo_url, sha) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at;
