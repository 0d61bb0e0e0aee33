// Package trigger starts releases automatically. It watches every application in the trigger
// environment of each product's flows: Git is polled every interval (and at once when a push
// webhook arrives), and a new commit on an application's branch that changes files under its
// path starts a release through the first of the product's flows whose selectors match. The
// last head seen per application is stored, so commits made while Ladder was down are found
// after a restart.
package trigger

import (
	"context"
	"database/sql"
	"log/slog"
	"time"

	"ladder/db"
	"ladder/internal/application"
	"ladder/internal/argocd"
	"ladder/internal/flow"
	"ladder/internal/gitops"
	"ladder/internal/product"
	"ladder/internal/promotion"
	"ladder/internal/release"
)

// Initiator is who automatic releases name as their initiator.
const Initiator = promotion.TriggerName

// Starter starts releases through the release actions service; promotion.Service in
// production.
type Starter interface {
	Start(ctx context.Context, who promotion.Actor, req promotion.Request) (release.Release, error)
}

// Merges rechecks pull requests a push may have merged; the runner in production.
type Merges interface {
	RecheckMerges(ctx context.Context, cloneURLs []string) error
}

// Git is the part of the Git engine the trigger reads; gitops.Store in production.
type Git interface {
	Changes(ctx context.Context, r gitops.Remote, branch, dir, since string) (string, []gitops.Commit, error)
	Contains(ctx context.Context, r gitops.Remote, from, sha string) (bool, error)
}

// Deps are what the trigger reads and starts releases with.
type Deps struct {
	Products     *product.Service
	Flows        *flow.Service
	Applications *application.Service
	ArgoCD       *argocd.Service
	Remote       func(ctx context.Context, repoURL string) (gitops.Remote, error) // URL with credentials
	Git          Git
	Starter      Starter
	Merges       Merges
	// WebhookSecrets returns the secrets push webhooks of a provider kind may be signed with.
	WebhookSecrets func(ctx context.Context, kind string) ([]string, error)
}

// Trigger watches applications and starts releases for their changes.
type Trigger struct {
	deps   Deps
	db     *sql.DB
	q      *db.Queries
	log    *slog.Logger
	now    func() time.Time
	poller *gitops.Poller
	// PendingRecheck is how often changes waiting for Argo CD are looked at (default 10 s).
	PendingRecheck time.Duration
}

// New returns a Trigger polling every interval (default 60 s).
func New(conn *sql.DB, deps Deps, interval time.Duration, log *slog.Logger, now func() time.Time) *Trigger {
	t := &Trigger{deps: deps, db: conn, q: db.New(conn), log: log, now: now}
	t.poller = &gitops.Poller{Interval: interval, List: t.watches, Found: t.found, Changes: deps.Git.Changes,
		Error: func(err error) { log.Warn("watch for changes", "err", err) },
		Recovered: func(w gitops.Watch) {
			log.Info("watched repository read again", "application", w.Key, "repo", w.Remote.URL)
		}}
	return t
}

// Run polls until ctx is cancelled, and looks at changes waiting for Argo CD meanwhile.
func (t *Trigger) Run(ctx context.Context) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = t.poller.Run(ctx)
	}()
	every := t.PendingRecheck
	if every <= 0 {
		every = 10 * time.Second
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			<-done
			return
		case <-tick.C:
			t.checkPending(ctx)
		}
	}
}

// Poll checks every watched application once, then the changes waiting for Argo CD.
func (t *Trigger) Poll(ctx context.Context) {
	t.poller.Poll(ctx)
	t.checkPending(ctx)
}

// Wake asks for a poll now.
func (t *Trigger) Wake() { t.poller.Wake() }
