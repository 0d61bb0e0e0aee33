-- name: CreateSession :exec
INSERT INTO sessions (token_hash, user_id, created_at, user_agent, address)
VALUES (?, ?, ?, ?, ?);

-- name: GetSessionUser :one
SELECT user_id FROM sessions WHERE token_hash = ?;

-- name: ListSessionsOfUser :many
SELECT * FROM sessions WHERE user_id = ? AND created_at >= ? ORDER BY created_at DESC, id DESC;

-- name: DeleteSessionByHash :exec
DELETE FROM sessions WHERE token_hash = ?;

-- name: DeleteSessionOfUser :execrows
DELETE FROM sessions WHERE id = ? AND user_id = ?;

-- name: DeleteSessionsOfUser :execrows
DELETE FROM sessions WHERE user_id = ?;

-- name: DeleteOtherSessionsOfUser :execrows
DELETE FROM sessions WHERE user_id = ? AND token_hash <> ?;

-- name: DeleteSessionsCreatedBefore :exec
DELETE FROM sessions WHERE created_at < ?;
