-- name: CreateRelease :exec
INSERT INTO releases (id, product, number, flow, version, trigger_env, source_app, trigger_sha,
    trigger_message, trigger_author, trigger_branch, trigger_date, initiator, status, plan,
    timeout_minutes, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?);

-- name: NextReleaseNumber :one
SELECT CAST(COALESCE(MAX(number), 0) + 1 AS INTEGER) FROM releases WHERE product = ?;

-- name: GetRelease :one
SELECT * FROM releases WHERE id = ?;

-- name: ActiveReleasesOfProduct :many
-- Named, the index by product and status finds the few active releases at once. Left to
-- itself SQLite reads the product's whole history in ID order through releases_product,
-- sparing a sort of a handful of rows: a look up of every release the product ever had, at
-- every release start and every step of the runner.
SELECT id, number, status FROM releases INDEXED BY releases_product_status
WHERE product = ? AND status IN ('QUEUED', 'RUNNING', 'SUSPENDED', 'TERMINATING')
ORDER BY id;

-- name: SupersedeRelease :exec
UPDATE releases SET status = 'TERMINATING', blocker = '', error = ? WHERE id = ?;

-- name: SetReleaseStatus :exec
UPDATE releases SET status = ?, blocker = ?, error = ?, started_at = ?, finished_at = ? WHERE id = ?;

-- name: CreateReleaseEnvironment :exec
INSERT INTO release_environments (release_id, product, name, position, is_trigger, depends_on, settings, status, kind, hooks,
    soak_seconds, soak_health)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?);

-- name: ListReleaseEnvironments :many
SELECT * FROM release_environments WHERE release_id = ? ORDER BY position;

-- name: SetReleaseEnvironmentStatus :exec
UPDATE release_environments SET status = ?, blocker = ?, error = ?, started_at = ?, finished_at = ?
WHERE release_id = ? AND name = ?;

-- name: CreateReleaseApplication :exec
INSERT INTO release_applications (release_id, environment, name, position, repo_url, branch, path,
    argocd_server, argocd_app, health_url, phase, status)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?);

-- name: ListReleaseApplications :many
SELECT * FROM release_applications WHERE release_id = ? ORDER BY environment, position;

-- name: UpdateReleaseApplication :exec
UPDATE release_applications
SET phase = ?, status = ?, commit_sha = ?, pull_request_url = ?, result = ?, error = ?, started_at = ?, finished_at = ?,
    phase_started_at = ?
WHERE release_id = ? AND environment = ? AND name = ?;

-- name: ListReleasesBy :many
-- The release list with every filter. Creation time bounds are release ID bounds (an ID starts
-- with its creation time), so the primary key serves date ranges and keyset pages alike: the
-- bounds are always given (the widest are '' and '~'), since a bound written as optional
-- ("? IS NULL OR id < ?") makes SQLite scan from the newest release down to the page.
-- A flow of '' selects manual promotions. Each release comes with its environments as the
-- triggers of release_environments keep them (migration 0036).
SELECT sqlc.embed(releases)
FROM releases
WHERE id >= sqlc.arg(after) AND id < sqlc.arg(before)
  AND (CAST(sqlc.narg(product) AS TEXT) IS NULL OR product = sqlc.narg(product))
  AND (CAST(sqlc.narg(status) AS TEXT) IS NULL OR status = sqlc.narg(status))
  AND (CAST(sqlc.narg(flow) AS TEXT) IS NULL OR flow = sqlc.narg(flow))
ORDER BY id DESC
LIMIT sqlc.arg(lim);

-- name: ListReleaseRows :many
-- ListReleasesBy with only the columns the releases page shows. The creation time is read
-- from the ID, which begins with it.
SELECT id, product, number, flow, version, status, environments
FROM releases
WHERE id >= sqlc.arg(after) AND id < sqlc.arg(before)
  AND (CAST(sqlc.narg(product) AS TEXT) IS NULL OR product = sqlc.narg(product))
  AND (CAST(sqlc.narg(status) AS TEXT) IS NULL OR status = sqlc.narg(status))
  AND (CAST(sqlc.narg(flow) AS TEXT) IS NULL OR flow = sqlc.narg(flow))
ORDER BY id DESC
LIMIT sqlc.arg(lim);

-- name: LatestSucceededVersionInEnvironment :one
-- The version the newest release that succeeded in an environment wrote there.
SELECT r.version FROM release_environments e JOIN releases r ON r.id = e.release_id
WHERE e.product = ? AND e.name = ? AND e.is_trigger = 0 AND e.status = 'SUCCEEDED'
ORDER BY e.release_id DESC
LIMIT 1;

-- name: ListDeployments :many
-- Every promotion of a product into an environment since a release ID (a point in time), for
-- the delivery metrics.
SELECT r.id, r.number, r.created_at, r.trigger_date, e.name AS environment, e.status, e.started_at, e.finished_at
FROM releases r JOIN release_environments e ON e.release_id = r.id
WHERE r.product = sqlc.arg(product) AND r.id >= sqlc.arg(since) AND e.is_trigger = 0
ORDER BY r.id, e.position;

-- name: DeployedInEnvironment :one
-- The newest release of a product that succeeded in an environment (not as its trigger): what
-- runs there now, when it arrived, and the commit it wrote to the environment's first application.
SELECT r.id, r.number, r.version, e.finished_at,
    CAST(COALESCE((SELECT a.commit_sha FROM release_applications a
        WHERE a.release_id = r.id AND a.environment = e.name ORDER BY a.position LIMIT 1), '') AS TEXT) AS commit_sha,
    CAST(COALESCE((SELECT a.repo_url FROM release_applications a
        WHERE a.release_id = r.id AND a.environment = e.name ORDER BY a.position LIMIT 1), '') AS TEXT) AS repo_url
FROM release_environments e JOIN releases r ON r.id = e.release_id
WHERE e.product = ? AND e.name = ? AND e.is_trigger = 0 AND e.status = 'SUCCEEDED'
ORDER BY e.release_id DESC
LIMIT 1;

-- name: LatestReleaseInFlight :one
-- The newest release of a product in which an environment takes part (as target or trigger),
-- with that environment's status and blocker, for the dashboard's cell.
SELECT r.id, r.number, r.version, r.status, r.blocker AS release_blocker, e.status AS environment_status,
    e.blocker AS environment_blocker, e.is_trigger
FROM release_environments e JOIN releases r ON r.id = e.release_id
WHERE e.product = ? AND e.name = ?
ORDER BY e.release_id DESC
LIMIT 1;

-- name: SetReleaseEnvironmentFreezeOverride :exec
UPDATE release_environments SET freeze_override = ? WHERE release_id = ? AND name = ?;

-- name: ListActiveReleaseParts :many
-- What releases that are not over use: their product, flow, environments and applications,
-- so that pruning the model can refuse to delete them.
SELECT r.product, r.number, r.flow, CAST(COALESCE(e.name, '') AS TEXT) AS environment,
    CAST(COALESCE(a.name, '') AS TEXT) AS application
FROM releases r LEFT JOIN release_environments e ON e.release_id = r.id
LEFT JOIN release_applications a ON a.release_id = r.id AND a.environment = e.name
WHERE r.status IN ('QUEUED', 'RUNNING', 'SUSPENDED', 'TERMINATING')
ORDER BY r.product, r.number;
