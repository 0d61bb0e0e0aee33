-- name: ListWatches :many
SELECT * FROM watches;

-- name: UpsertWatchHead :exec
-- Stores the head seen for an application; a new location starts a new baseline and drops
-- any pending change.
INSERT INTO watches (application_id, location, head, updated_at) VALUES (?, ?, ?, ?)
ON CONFLICT (application_id) DO UPDATE SET
    head = excluded.head,
    pending_flow = CASE WHEN watches.location = excluded.location THEN watches.pending_flow ELSE '' END,
    pending_sha = CASE WHEN watches.location = excluded.location THEN watches.pending_sha ELSE '' END,
    location = excluded.location,
    updated_at = excluded.updated_at;

-- name: SetWatchPending :exec
UPDATE watches
SET pending_flow = ?, pending_sha = ?, pending_message = ?, pending_author = ?, pending_date = ?,
    pending_blocker = ?, updated_at = ?
WHERE application_id = ?;

-- name: SetWatchPendingBlocker :exec
UPDATE watches SET pending_blocker = ?, updated_at = ? WHERE application_id = ?;

-- name: ListPendingWatches :many
SELECT * FROM watches WHERE pending_sha != '' ORDER BY application_id;

-- name: ListMergeWaits :many
-- Applications of releases waiting for their pull request to merge, which a push webhook for
-- their repository wakes.
SELECT release_id, environment, name, repo_url FROM release_applications
WHERE phase = 'merge' AND status = 'RUNNING';
