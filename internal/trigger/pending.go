package trigger

import (
	"context"

	"ladder/db"
	"ladder/internal/application"
	"ladder/internal/argocd"
)

// checkPending starts the releases of changes whose trigger application Argo CD now reports
// Synced to the change (or later) and Healthy; the others keep what Argo CD said, for pages.
func (t *Trigger) checkPending(ctx context.Context) {
	rows, err := t.q.ListPendingWatches(ctx)
	if err != nil || len(rows) == 0 {
		if err != nil {
			t.log.Warn("list changes waiting for Argo CD", "err", err)
		}
		return
	}
	apps, err := t.watched(ctx)
	if err != nil {
		t.log.Warn("list watched applications", "err", err)
		return
	}
	for _, w := range rows {
		if ctx.Err() != nil {
			return
		}
		app, ok := apps[w.ApplicationID]
		if !ok {
			t.clearPending(ctx, w.ApplicationID)
			continue
		}
		if err := t.checkOne(ctx, app, w); err != nil {
			t.log.Warn("start a release waiting for Argo CD", "application", app.Key(), "err", err)
		}
	}
}

func (t *Trigger) checkOne(ctx context.Context, app application.Application, w db.Watch) error {
	if app.ArgocdServer != "" && app.ArgocdApp != "" {
		ready, blocker, err := t.deployed(ctx, app, w.PendingSha)
		if err != nil {
			return err
		}
		if !ready {
			if blocker != w.PendingBlocker {
				return t.q.SetWatchPendingBlocker(ctx, db.SetWatchPendingBlockerParams{PendingBlocker: blocker,
					UpdatedAt: t.now().UTC(), ApplicationID: w.ApplicationID})
			}
			return nil
		}
	}
	if err := t.start(ctx, app, w.PendingFlow, commitOf(w)); err != nil {
		return t.failed(ctx, app, w.PendingFlow, commitOf(w), err)
	}
	t.clearPending(ctx, w.ApplicationID)
	if err := cleared(ctx, t.q, app); err != nil {
		t.log.Warn("clear failed triggers", "application", app.Key(), "err", err)
	}
	return nil
}

// deployed reports whether Argo CD runs sha (or later) healthy for app, and otherwise what it
// reports.
func (t *Trigger) deployed(ctx context.Context, app application.Application, sha string) (bool, string, error) {
	a, err := t.deps.ArgoCD.Application(ctx, app.ArgocdServer, app.ArgocdApp)
	if err != nil {
		return false, "cannot read Argo CD application " + app.ArgocdApp + ": " + err.Error(), nil
	}
	blocker := "waiting for Argo CD to deploy " + short(sha) + " to " + app.ArgocdApp + " (" + a.Report() + ")"
	revision := a.Revision(app.RepoURL, app.Path)
	if a.SyncStatus != argocd.Synced || a.Health != argocd.Healthy || a.Running() || revision == "" {
		return false, blocker, nil
	}
	remote, err := t.deps.Remote(ctx, app.RepoURL)
	if err != nil {
		return false, "", err
	}
	ok, err := t.deps.Git.Contains(ctx, remote, revision, sha)
	if err != nil || !ok {
		return false, blocker, err
	}
	return true, "", nil
}

func (t *Trigger) clearPending(ctx context.Context, id int64) {
	err := t.q.SetWatchPending(ctx, db.SetWatchPendingParams{ApplicationID: id, UpdatedAt: t.now().UTC()})
	if err != nil {
		t.log.Warn("clear a change waiting for Argo CD", "err", err)
	}
}
