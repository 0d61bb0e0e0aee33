-- name: CreateRelease :exec
INSERT INTO releases (id, product, number, flow, version, trigger_env, source_app, trigger_sha,
    trigger_message, trigger_author, trigger_branch, trigger_date, initiator, status, plan,
    timeout_minutes, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?);

-- name: NextReleaseNumber :one
SELECT CAST(COALESCE(MAX(number), 0) + 1 AS INTEGER) FROM releases WHERE product = ?;

-- name: GetRelease :one
SELECT * FROM releases WHERE id = ?;

-- name: ListReleases :many
SELECT * FROM releases
WHERE (CAST(sqlc.narg(product) AS TEXT) IS NULL OR product = sqlc.narg(product))
  AND (CAST(sqlc.narg(status) AS TEXT) IS NULL OR status = sqlc.narg(status))
  AND (CAST(sqlc.narg(before) AS TEXT) IS NULL OR id < sqlc.narg(before))
ORDER BY id DESC
LIMIT sqlc.arg(lim);

-- name: ActiveReleasesOfProduct :many
SELECT * FROM releases
WHERE product = ? AND status IN ('QUEUED', 'RUNNING', 'SUSPENDED', 'TERMINATING')
ORDER BY id;

-- name: SetReleaseStatus :exec
UPDATE releases SET status = ?, blocker = ?, error = ?, started_at = ?, finished_at = ? WHERE id = ?;

-- name: CreateReleaseEnvironment :exec
INSERT INTO release_environments (release_id, name, position, is_trigger, depends_on, settings, status)
VALUES (?, ?, ?, ?, ?, ?, ?);

-- name: ListReleaseEnvironments :many
SELECT * FROM release_environments WHERE release_id = ? ORDER BY position;

-- name: SetReleaseEnvironmentStatus :exec
UPDATE release_environments SET status = ?, blocker = ?, error = ?, started_at = ?, finished_at = ?
WHERE release_id = ? AND name = ?;

-- name: CreateReleaseApplication :exec
INSERT INTO release_applications (release_id, environment, name, position, repo_url, branch, path, phase, status)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?);

-- name: ListReleaseApplications :many
SELECT * FROM release_applications WHERE release_id = ? ORDER BY environment, position;

-- name: UpdateReleaseApplication :exec
UPDATE release_applications
SET phase = ?, status = ?, commit_sha = ?, pull_request_url = ?, result = ?, error = ?, started_at = ?, finished_at = ?
WHERE release_id = ? AND environment = ? AND name = ?;
