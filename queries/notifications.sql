-- name: CreateNotificationChannel :one
INSERT INTO notification_channels (name, kind, url, url_sealed, host, product, created_at, updated_at)
VALUES (?, ?, '', ?, ?, ?, ?, ?)
RETURNING *;

-- name: UpdateNotificationChannel :one
-- An empty host keeps the stored one (the URL was left as it was).
UPDATE notification_channels SET name = sqlc.arg(name), kind = sqlc.arg(kind), url_sealed = sqlc.arg(url_sealed),
    host = COALESCE(NULLIF(CAST(sqlc.arg(host) AS TEXT), ''), host),
    product = sqlc.arg(product), updated_at = sqlc.arg(updated_at)
WHERE id = sqlc.arg(id)
RETURNING *;

-- name: ListPlainNotificationURLs :many
-- Channels stored before URLs were sealed.
SELECT id, url FROM notification_channels WHERE url != '' ORDER BY id;

-- name: SealNotificationURL :exec
UPDATE notification_channels SET url = '', url_sealed = ?, host = ? WHERE id = ?;

-- name: ListNotificationChannels :many
SELECT * FROM notification_channels ORDER BY name;

-- name: GetNotificationChannel :one
SELECT * FROM notification_channels WHERE name = ?;

-- name: DeleteNotificationChannel :exec
DELETE FROM notification_channels WHERE id = ?;

-- name: ListChannelsForRelease :many
-- The channels that hear of a release's status changes, by the release's product.
SELECT c.* FROM notification_channels c JOIN releases r ON r.id = ?
WHERE c.product = '' OR c.product = r.product ORDER BY c.id;

-- name: ListStatusChangesAfter :many
SELECT * FROM release_status_changes WHERE id > ? ORDER BY id LIMIT ?;

-- name: GetNotificationCursor :one
SELECT last_id FROM notification_cursor WHERE name = ?;

-- name: SetNotificationCursor :exec
INSERT INTO notification_cursor (name, last_id) VALUES (?, ?)
ON CONFLICT (name) DO UPDATE SET last_id = excluded.last_id;

-- name: CreateNotificationDelivery :exec
INSERT INTO notification_deliveries (channel_id, event, payload, status, next_attempt_at, created_at)
VALUES (?, ?, ?, 'pending', ?, ?);

-- name: ListDueDeliveries :many
-- The oldest pending delivery of each channel, when it is due: a channel's notifications go
-- out one at a time, in order.
SELECT d.*, c.kind, c.url_sealed FROM notification_deliveries d
JOIN notification_channels c ON c.id = d.channel_id
WHERE d.status = 'pending' AND d.next_attempt_at <= ?
  AND d.id = (SELECT MIN(p.id) FROM notification_deliveries p WHERE p.channel_id = d.channel_id AND p.status = 'pending')
ORDER BY d.id;

-- name: MarkDeliveryDone :exec
UPDATE notification_deliveries SET status = 'delivered', attempts = attempts + 1, delivered_at = ?, last_error = ''
WHERE id = ?;

-- name: MarkDeliveryFailed :exec
UPDATE notification_deliveries SET status = ?, attempts = attempts + 1, next_attempt_at = ?, last_error = ?
WHERE id = ?;

-- name: ListRecentDeliveries :many
SELECT d.*, c.name AS channel FROM notification_deliveries d
JOIN notification_channels c ON c.id = d.channel_id
ORDER BY d.id DESC LIMIT ?;
