package trigger

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"ladder/db"
	"ladder/internal/application"
	"ladder/internal/audit"
	"ladder/internal/gitops"
	"ladder/internal/product"
	"ladder/internal/promotion"
	"ladder/internal/release"
)

// found handles what a poll found for one application. The newest commit that touches the
// application's path is the change (its values include every commit before it); the product's
// flows are tried in order and the first whose trigger environment is the application's and
// whose selectors match starts a release. The new head is stored as the baseline once the
// change is handled, so a failure is retried at the next poll; a change that cannot start a
// release is recorded as a failed trigger (see failed).
func (t *Trigger) found(ctx context.Context, c gitops.Change) error {
	id, err := strconv.ParseInt(c.Watch.Key, 10, 64)
	if err != nil {
		return fmt.Errorf("watch key %q: %w", c.Watch.Key, err)
	}
	app, err := t.application(ctx, id)
	if err != nil || app == nil {
		return err
	}
	if len(c.Commits) == 0 {
		return t.storeHead(ctx, *app, c.Head, nil)
	}
	commit := c.Commits[len(c.Commits)-1]
	flowName, err := t.match(ctx, *app, commit)
	if err != nil {
		return err
	}
	switch {
	case flowName == "":
		return t.storeHead(ctx, *app, c.Head, func(q *db.Queries) error {
			return audit.Record(ctx, q, t.now().UTC(), audit.Entry{Actor: Initiator, Action: "no-flow-matched",
				Kind: "trigger", Name: app.Product, Detail: fmt.Sprintf("commit %s on %s matched no flow of %s: %s",
					short(commit.SHA), app.Key(), app.Product, firstLine(commit.Message))})
		})
	case app.ArgocdServer != "" && app.ArgocdApp != "":
		return t.storeHead(ctx, *app, c.Head, func(q *db.Queries) error {
			return q.SetWatchPending(ctx, db.SetWatchPendingParams{ApplicationID: app.ID, PendingFlow: flowName,
				PendingSha: commit.SHA, PendingMessage: commit.Message, PendingAuthor: commit.Author,
				PendingDate:    sql.NullTime{Time: commit.Date.UTC(), Valid: true},
				PendingBlocker: "waiting for Argo CD to sync " + app.ArgocdApp + " to " + short(commit.SHA),
				UpdatedAt:      t.now().UTC()})
		})
	}
	if err := t.start(ctx, *app, flowName, commit); err != nil {
		// The head stays where it was: the change is tried again at the next poll.
		return t.failed(ctx, *app, flowName, commit, err)
	}
	return t.storeHead(ctx, *app, c.Head, func(q *db.Queries) error { return cleared(ctx, q, *app) })
}

// application returns the watched application with id, nil when it is no longer watched.
func (t *Trigger) application(ctx context.Context, id int64) (*application.Application, error) {
	apps, err := t.watched(ctx)
	if err != nil {
		return nil, err
	}
	a, ok := apps[id]
	if !ok {
		return nil, nil
	}
	return &a, nil
}

// match returns the first of the product's flows that the change starts, "" when none does.
func (t *Trigger) match(ctx context.Context, app application.Application, c gitops.Commit) (string, error) {
	p, err := t.deps.Products.Get(ctx, app.Product)
	if err != nil {
		return "", err
	}
	for _, ref := range p.Flows {
		f, err := t.deps.Flows.Get(ctx, ref.Flow)
		if err != nil || f.TriggerEnvironment != app.Environment {
			continue
		}
		if product.MatchSelectors(ref.TriggerSelectors, c.Message, app.Branch) {
			return f.Name, nil
		}
	}
	return "", nil
}

// start starts a release of app's product through flowName at commit c.
func (t *Trigger) start(ctx context.Context, app application.Application, flowName string, c gitops.Commit) error {
	date := c.Date.UTC()
	rel, err := t.deps.Starter.Start(ctx, promotion.Trigger(), promotion.Request{Product: app.Product, Flow: flowName,
		Commit: c.SHA, SourceApp: app.Name, Described: &release.Commit{Message: c.Message, Author: c.Author, Date: &date}})
	if err != nil {
		return fmt.Errorf("start %s through %s: %w", app.Product, flowName, err)
	}
	t.log.Info("release started by a change", "product", app.Product, "flow", flowName, "release", rel.Number,
		"commit", short(c.SHA), "application", app.Key())
	return nil
}

// storeHead stores head as app's baseline, with then (when given) in the same transaction.
func (t *Trigger) storeHead(ctx context.Context, app application.Application, head string, then func(*db.Queries) error) error {
	return db.InTx(ctx, t.db, func(q *db.Queries) error {
		if err := q.UpsertWatchHead(ctx, db.UpsertWatchHeadParams{ApplicationID: app.ID, Location: location(app),
			Head: head, UpdatedAt: t.now().UTC()}); err != nil {
			return fmt.Errorf("store head of %s: %w", app.Key(), err)
		}
		if then == nil {
			return nil
		}
		return then(q)
	})
}

func short(sha string) string {
	if len(sha) > 7 {
		return sha[:7]
	}
	return sha
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return line
}

// commitOf rebuilds a pending change's commit.
func commitOf(w db.Watch) gitops.Commit {
	c := gitops.Commit{SHA: w.PendingSha, Message: w.PendingMessage, Author: w.PendingAuthor}
	if w.PendingDate.Valid {
		c.Date = w.PendingDate.Time
	}
	return c
}
