-- name: ListFreezeWindows :many
SELECT * FROM freeze_windows ORDER BY name;

-- name: GetFreezeWindow :one
SELECT * FROM freeze_windows WHERE name = ?;

-- name: CountFreezeWindowsByName :one
SELECT CAST(COUNT(*) AS INTEGER) FROM freeze_windows WHERE name = ?;

-- name: CreateFreezeWindow :one
INSERT INTO freeze_windows (name, schedule, duration, starts_at, ends_at, time_zone, environments, product, reason, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
RETURNING *;

-- name: UpdateFreezeWindow :one
UPDATE freeze_windows
SET name = ?, schedule = ?, duration = ?, starts_at = ?, ends_at = ?, time_zone = ?, environments = ?, product = ?, reason = ?, updated_at = ?
WHERE id = ?
RETURNING *;

-- name: DeleteFreezeWindow :exec
DELETE FROM freeze_windows WHERE id = ?;
