-- name: CreateReleaseEvent :one
INSERT INTO release_events (release_id, kind, subject, message, at)
VALUES (?, ?, ?, ?, ?)
RETURNING id;

-- name: ListReleaseEventsAfter :many
SELECT * FROM release_events WHERE release_id = ? AND id > ? ORDER BY id LIMIT ?;

-- name: ListRecentReleaseEvents :many
SELECT * FROM release_events WHERE release_id = ? ORDER BY id DESC LIMIT ?;

-- name: NewestReleaseEventID :one
-- The newest event of any release: lists and the dashboard change exactly when it does.
SELECT CAST(COALESCE(MAX(id), 0) AS INTEGER) FROM release_events;
