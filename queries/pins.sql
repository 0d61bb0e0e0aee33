-- name: UpsertPin :one
INSERT INTO pins (product_id, environment_id, version, reason, release_id, pinned_by, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (product_id, environment_id) DO UPDATE SET
    version = excluded.version, reason = excluded.reason, release_id = excluded.release_id,
    pinned_by = excluded.pinned_by, created_at = excluded.created_at
RETURNING id;

-- name: GetPin :one
SELECT p.id, pr.name AS product, e.name AS environment, p.version, p.reason, p.release_id, p.pinned_by, p.created_at
FROM pins p JOIN products pr ON pr.id = p.product_id JOIN environments e ON e.id = p.environment_id
WHERE pr.name = ? AND e.name = ?;

-- name: ListPins :many
SELECT p.id, pr.name AS product, e.name AS environment, p.version, p.reason, p.release_id, p.pinned_by, p.created_at
FROM pins p JOIN products pr ON pr.id = p.product_id JOIN environments e ON e.id = p.environment_id
ORDER BY pr.name, e.position;

-- name: ListPinsOfProduct :many
SELECT p.id, pr.name AS product, e.name AS environment, p.version, p.reason, p.release_id, p.pinned_by, p.created_at
FROM pins p JOIN products pr ON pr.id = p.product_id JOIN environments e ON e.id = p.environment_id
WHERE pr.name = ?
ORDER BY e.position;

-- name: DeletePin :exec
DELETE FROM pins WHERE id = ?;
