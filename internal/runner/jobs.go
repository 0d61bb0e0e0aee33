package runner

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"ladder/db"
	"ladder/internal/release"
)

// Job kinds.
const (
	jobAdvance     = release.JobAdvance // decide what a release does next
	jobApplication = "application"      // run the current phase of one application
)

// job is a leased unit of work.
type job struct {
	id          int64
	generation  int64
	releaseID   string
	kind        string
	environment string
	application string
	attempts    int64
}

// claim leases the next due job to owner for lease, or returns nil when none is due.
func claim(ctx context.Context, q *db.Queries, owner string, now time.Time, lease time.Duration) (*job, error) {
	row, err := q.ClaimJob(ctx, db.ClaimJobParams{LeaseOwner: owner,
		LeaseUntil: sql.NullTime{Time: now.Add(lease), Valid: true}, RunAfter: now,
		LeaseUntil_2: sql.NullTime{Time: now, Valid: true}})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("claim job: %w", err)
	}
	return &job{id: row.ID, generation: row.Generation, releaseID: row.ReleaseID, kind: row.Kind,
		environment: row.Environment, application: row.Application, attempts: row.Attempts}, nil
}

// finish removes a done job, unless it was asked for again while it ran: then it is freed to
// run again at once.
func finish(ctx context.Context, q *db.Queries, j *job, now time.Time) error {
	n, err := q.FinishJob(ctx, db.FinishJobParams{ID: j.id, Generation: j.generation})
	if err != nil {
		return fmt.Errorf("finish job %d: %w", j.id, err)
	}
	if n == 0 {
		return retryAt(ctx, q, j, now, now)
	}
	return nil
}

// retryAt frees a job to run again at or after at — or at once, if it was asked for again
// while it ran (an approval, a termination): that request must not wait for at.
func retryAt(ctx context.Context, q *db.Queries, j *job, at, now time.Time) error {
	n, err := q.ReleaseJob(ctx, db.ReleaseJobParams{ID: j.id, RunAfter: at.UTC(), Generation: j.generation})
	if err == nil && n == 0 {
		err = q.ReleaseJobAnyGeneration(ctx, db.ReleaseJobAnyGenerationParams{ID: j.id, RunAfter: now.UTC()})
	}
	if err != nil {
		return fmt.Errorf("reschedule job %d: %w", j.id, err)
	}
	return nil
}

// renew extends owner's lease on j to until, while the job is still leased to owner.
func renew(ctx context.Context, q *db.Queries, j *job, owner string, until time.Time) error {
	err := q.RenewLease(ctx, db.RenewLeaseParams{LeaseUntil: sql.NullTime{Time: until.UTC(), Valid: true}, ID: j.id, LeaseOwner: owner})
	if err != nil {
		return fmt.Errorf("renew the lease of job %d: %w", j.id, err)
	}
	return nil
}
