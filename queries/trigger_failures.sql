-- name: GetTriggerFailure :one
SELECT * FROM trigger_failures WHERE product = ? AND commit_sha = ?;

-- name: UpsertTriggerFailure :exec
INSERT INTO trigger_failures (product, commit_sha, application_id, application, flow, commit_message,
    reason, fix_url, fix_label, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (product, commit_sha) DO UPDATE SET
    application_id = excluded.application_id,
    application = excluded.application,
    flow = excluded.flow,
    reason = excluded.reason,
    fix_url = excluded.fix_url,
    fix_label = excluded.fix_label,
    updated_at = excluded.updated_at;

-- name: DeleteOtherTriggerFailuresOfApplication :exec
-- A newer change of the application replaces the older one's failure: the trigger will not
-- try the older commit again.
DELETE FROM trigger_failures WHERE application_id = ? AND commit_sha != ?;

-- name: DeleteTriggerFailuresOfApplication :exec
DELETE FROM trigger_failures WHERE application_id = ?;

-- name: ListTriggerFailures :many
SELECT * FROM trigger_failures ORDER BY updated_at DESC, id DESC;

-- name: ListTriggerFailuresOfProduct :many
SELECT * FROM trigger_failures WHERE product = ? ORDER BY updated_at DESC, id DESC;
