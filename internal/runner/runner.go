// Package runner moves releases forward. It works only from jobs leased out of the database, so
// a Ladder killed at any moment resumes every release where it was: a job whose worker died is
// taken over when its lease runs out, and every step it repeats is idempotent (a promotion whose
// values are already in the target makes no second commit).
package runner

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"ladder/db"
	"ladder/internal/gitops"
	"ladder/internal/pin"
	"ladder/internal/release"
)

// Git is the part of the Git engine the runner uses.
type Git interface {
	Promote(ctx context.Context, req gitops.PromoteRequest) (gitops.Result, error)
	// Merged reports whether sha is reachable from the head of branch (a merged pull request).
	Merged(ctx context.Context, r gitops.Remote, branch, sha string) (bool, error)
	// Contains reports whether sha is from or an ancestor of it (Argo CD synced to it or later).
	Contains(ctx context.Context, r gitops.Remote, from, sha string) (bool, error)
}

// Model answers the runner's questions about the current model.
type Model interface {
	// Credentials returns the credentials for a repository URL (the zero value when none match).
	Credentials(ctx context.Context, repoURL string) (gitops.Credentials, error)
	// Freeze returns the blocker sentence when environment env is frozen now for a release of
	// product (a manual freeze, or a freeze window unless windowsOverridden), "" when it is open.
	Freeze(ctx context.Context, product, env string, windowsOverridden bool) (string, error)
	// Pin returns the pin of product in environment env and whether there is one.
	Pin(ctx context.Context, product, env string) (pin.Pin, bool, error)
	// Concurrency returns a product's concurrency mode (queue or terminate) and queue limit.
	Concurrency(ctx context.Context, product string) (mode string, queueLimit int, err error)
}

// Options tune a Runner; zero values take the defaults.
type Options struct {
	Workers      int           // concurrent jobs (default 4)
	Lease        time.Duration // how long a job is leased before another worker may take it (default 2 min)
	PollInterval time.Duration // how often idle workers look for due jobs (default 1 s)
	// FreezeRecheck is how often a release waiting on a frozen or pinned environment looks
	// again (default 5 s).
	FreezeRecheck time.Duration
	Author        gitops.Signature
	// Workflows are the model's workflows, run as pre- and post-actions and hooks.
	Workflows Workflows
	// PublicURL is where people reach Ladder; steps get RELEASE_URL from it.
	PublicURL string
	// Deploy reaches Git providers and Argo CD, and checks health URLs; see verify.go.
	Deploy Deploy
	// Secrets gives the value of a workflow secret by name ({{secret "name"}} in a step);
	// nil: steps may use none.
	Secrets func(ctx context.Context, name string) (string, error)
	// GitRetry is the first pause after the Git server could not be reached (default 20 s).
	GitRetry time.Duration
}

// Runner executes release jobs with a pool of workers.
type Runner struct {
	conn     *sql.DB
	q        *db.Queries
	releases *release.Service
	git      Git
	model    Model
	log      *slog.Logger
	now      func() time.Time
	opts     Options
	owner    string
	wake     chan struct{}
	wg       sync.WaitGroup
	argoSeen argoMemo // what was asked of Argo CD per promotion being verified
	running  inflight // application jobs running now, cancelled when their release is terminated
	// soakChecks carry soak health checks from the pass that made them to the next one.
	soakChecks soakResults
}

// New returns a Runner; StartWorkers sets it going.
func New(conn *sql.DB, releases *release.Service, git Git, model Model, log *slog.Logger, now func() time.Time, opts Options) *Runner {
	if opts.Workers <= 0 {
		opts.Workers = 4
	}
	if opts.Lease <= 0 {
		opts.Lease = 2 * time.Minute
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = time.Second
	}
	if opts.FreezeRecheck <= 0 {
		opts.FreezeRecheck = 5 * time.Second
	}
	if opts.Author.Name == "" {
		opts.Author = gitops.Signature{Name: "Ladder", Email: "ladder@localhost"}
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	return &Runner{conn: conn, q: db.New(conn), releases: releases, git: git, model: model, log: log,
		now: now, opts: opts, owner: hex.EncodeToString(b[:]), wake: make(chan struct{}, opts.Workers)}
}

// StartWorkers runs the workers until ctx is cancelled. Wait returns when they have stopped.
// It first frees every lease left in the database: one process serves an installation
// (SPEC §7), so a lease found at start belongs to a previous run that was killed, and its
// job is taken over at once instead of when the lease would have run out.
func (r *Runner) StartWorkers(ctx context.Context) {
	if n, err := r.q.FreeLeases(ctx); err != nil {
		r.log.Error("free leases of a previous run", "err", err)
	} else if n > 0 {
		r.log.Info("resuming jobs of a previous run", "jobs", n)
	}
	for range r.opts.Workers {
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			r.work(ctx)
		}()
	}
}

// Wait blocks until every worker has finished its current job and stopped.
func (r *Runner) Wait() { r.wg.Wait() }

// Wake tells idle workers that a job may be due now.
func (r *Runner) Wake() {
	for range cap(r.wake) {
		select {
		case r.wake <- struct{}{}:
		default:
			return
		}
	}
}

func (r *Runner) work(ctx context.Context) {
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		case <-r.wake:
		}
		for ctx.Err() == nil && r.runOne(ctx) {
		}
		timer.Reset(r.opts.PollInterval)
	}
}

// runOne claims and runs one due job; it reports whether there was one.
func (r *Runner) runOne(ctx context.Context) bool {
	j, err := claim(ctx, r.q, r.owner, r.now().UTC(), r.opts.Lease)
	if err != nil {
		if ctx.Err() == nil {
			r.log.Error("claim job", "err", err)
		}
		return false
	}
	if j == nil {
		return false
	}
	stopRenewing := r.keepLease(ctx, j)
	var next time.Time
	switch j.kind {
	case jobAdvance:
		next, err = r.advance(ctx, j.releaseID)
	case jobApplication:
		next, err = r.runApplication(ctx, j)
	case jobHook:
		next, err = r.runHook(ctx, j)
	default:
		err = fmt.Errorf("unknown job kind %q", j.kind)
	}
	stopRenewing()
	if ctx.Err() != nil {
		return false // shutting down: the next start frees the lease and takes the job up again
	}
	if err != nil {
		r.log.Error("job failed; retrying", "kind", j.kind, "release", j.releaseID, "attempt", j.attempts, "err", err)
		next = r.now().Add(backoff(j.attempts))
	}
	if !next.IsZero() {
		err = retryAt(ctx, r.q, j, next, r.now())
	} else {
		err = finish(ctx, r.q, j, r.now().UTC())
	}
	if err != nil {
		r.log.Error("settle job", "kind", j.kind, "release", j.releaseID, "err", err)
	}
	return true
}

// keepLease renews j's lease every third of the lease while it runs, so that a step that
// runs longer than the lease (a long exec step) is not taken over and run a second time by
// another worker. The returned function stops renewing and waits until it has.
func (r *Runner) keepLease(ctx context.Context, j *job) func() {
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(r.opts.Lease / 3)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-ctx.Done():
				return
			case <-tick.C:
				if err := renew(ctx, r.q, j, r.owner, r.now().Add(r.opts.Lease)); err != nil && ctx.Err() == nil {
					r.log.Error("renew job lease", "kind", j.kind, "release", j.releaseID, "err", err)
				}
			}
		}
	}()
	return func() { close(stop); <-done }
}

func backoff(attempts int64) time.Duration {
	d := time.Second << min(attempts, 6)
	return min(d, time.Minute)
}
