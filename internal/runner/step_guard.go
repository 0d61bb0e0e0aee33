package runner

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"ladder/db"
	"ladder/internal/release"
)

// Why a running step was stopped.
var (
	errTerminated      = errors.New("the release is being terminated")
	errWorkflowTimeout = errors.New("the workflow timed out")
)

// guardInterval is how often a running step checks whether its release is being terminated,
// and streams its new output.
const guardInterval = 200 * time.Millisecond

// guard watches over a running step: it cancels the step's context when the release stops
// running (terminated, or timed out by its flow) or the workflow's timeout passes, keeps the
// job's lease while the step runs longer than a lease, and streams the step's log. The
// worker notices a termination within guardInterval, whichever process asked for it. stop
// ends the watch and returns why the context was cancelled (nil when it was not).
func (r *Runner) guard(parent context.Context, c *stepCall) (ctx context.Context, stop func() error) {
	ctx, cancel := context.WithCancelCause(parent)
	ctx, cancelDeadline := context.WithDeadlineCause(ctx, c.deadline, errWorkflowTimeout)
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		tick := time.NewTicker(guardInterval)
		defer tick.Stop()
		lastLease := r.now()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			if r.releaseStopped(parent, c.sc) {
				cancel(errTerminated)
				return
			}
			if r.now().Sub(lastLease) > r.opts.Lease/3 {
				lastLease = r.now()
				r.extendLease(parent, c.sc)
			}
			if err := r.flushLog(parent, c); err != nil && parent.Err() == nil {
				r.log.Warn("stream step log", "release", c.sc.rel.ID, "step", c.step.Name, "err", err)
			}
		}
	}()
	return ctx, func() error {
		close(done)
		<-finished
		cause := context.Cause(ctx)
		cancelDeadline()
		cancel(nil)
		return cause
	}
}

// releaseStopped reports whether the step's release no longer runs. onFail hooks (the
// release's and its environments') run while a release is being terminated, so only its end
// stops them.
func (r *Runner) releaseStopped(ctx context.Context, sc scope) bool {
	row, err := r.q.GetRelease(ctx, sc.rel.ID)
	if err != nil {
		return false // keep running; the next look may succeed
	}
	if sc.onFail() {
		return release.Final(row.Status)
	}
	return !active(row.Status)
}

func (r *Runner) extendLease(ctx context.Context, sc scope) {
	kind, env, app := sc.job()
	err := r.q.ExtendJobLease(ctx, db.ExtendJobLeaseParams{LeaseUntil: nullTime(r.now().UTC().Add(r.opts.Lease)),
		ReleaseID: sc.rel.ID, Kind: kind, Environment: env, Application: app, LeaseOwner: r.owner})
	if err != nil && ctx.Err() == nil {
		r.log.Warn("extend job lease", "release", sc.rel.ID, "err", err)
	}
}

func nullTime(t time.Time) sql.NullTime { return sql.NullTime{Time: t, Valid: true} }
