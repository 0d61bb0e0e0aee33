-- name: CountReleasesByStatus :many
-- CountReleasesByStatus counts releases per status when Prometheus scrapes /metrics.
SELECT status, CAST(COUNT(*) AS INTEGER) AS releases FROM releases GROUP BY status;

-- name: CountJobsDue :one
-- CountJobsDue counts runner jobs that are due and not leased: the runner's queue depth.
SELECT CAST(COUNT(*) AS INTEGER) FROM jobs
WHERE run_after <= ? AND (lease_until IS NULL OR lease_until < ?);
