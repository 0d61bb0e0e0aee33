-- name: EnqueueJob :exec
INSERT INTO jobs (release_id, kind, environment, application, run_after, created_at)
VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (release_id, kind, environment, application)
DO UPDATE SET run_after = MIN(run_after, excluded.run_after), generation = generation + 1;

-- name: ClaimJob :one
UPDATE jobs SET lease_owner = ?, lease_until = ?, attempts = attempts + 1
WHERE id = (
    SELECT j.id FROM jobs j
    WHERE j.run_after <= ? AND (j.lease_until IS NULL OR j.lease_until < ?)
    ORDER BY j.run_after, j.id LIMIT 1
)
RETURNING *;

-- name: FinishJob :execrows
DELETE FROM jobs WHERE id = ? AND generation = ?;

-- name: ReleaseJob :execrows
UPDATE jobs SET lease_owner = '', lease_until = NULL, run_after = ? WHERE id = ? AND generation = ?;

-- name: ReleaseJobAnyGeneration :exec
UPDATE jobs SET lease_owner = '', lease_until = NULL, run_after = ? WHERE id = ?;

-- name: FreeLeases :execrows
UPDATE jobs SET lease_owner = '', lease_until = NULL WHERE lease_until IS NOT NULL;

-- name: RenewLease :exec
UPDATE jobs SET lease_until = ? WHERE id = ? AND lease_owner = ? AND lease_until IS NOT NULL;
