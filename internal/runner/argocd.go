package runner

import (
	"context"
	"errors"
	"fmt"

	"ladder/internal/argocd"
	"ladder/internal/gitops"
	"ladder/internal/release"
)

// verifyArgoCD waits until Argo CD reports the application Synced to the promotion commit (or
// a later one) and Healthy. Progressing is waited for until the verify timeout; any other
// unhealthy state is given the grace period to settle, then fails. Blockers quote what Argo CD
// reports.
func (r *Runner) verifyArgoCD(ctx context.Context, app release.Application) (outcome, error) {
	d := r.opts.Deploy
	if d.ArgoCD == nil {
		return outcome{Failed: "application is linked to Argo CD server " + app.ArgocdServer + ", but Argo CD is not configured"}, nil
	}
	a, err := d.ArgoCD.Application(ctx, app.ArgocdServer, app.ArgocdApp)
	if ctx.Err() != nil {
		return outcome{}, ctx.Err()
	}
	elapsed, late := r.verifying(app)
	if err != nil {
		return r.argoWait(app, late, "cannot read Argo CD application "+app.ArgocdApp+": "+err.Error()), nil
	}
	deployed, err := r.deployed(ctx, app, a)
	if err != nil {
		return outcome{}, err
	}
	switch {
	case !deployed:
		r.askSync(ctx, app, a)
		what := fmt.Sprintf("waiting for Argo CD to sync %s to %s (%s", app.ArgocdApp, short(app.CommitSHA), a.Report())
		if a.Revision != "" && a.SyncStatus == argocd.Synced {
			what += ", at " + short(a.Revision)
		}
		return r.argoWait(app, late, what+")"), nil
	case a.Health == argocd.Healthy:
		result := fmt.Sprintf("Argo CD: %s Synced to %s and Healthy", app.ArgocdApp, short(a.Revision))
		return outcome{Done: true, Message: app.Name + ": " + result,
			Record: func(x *release.Application) { x.Result = joinResult(x.Result, result) }}, nil
	case a.Health != argocd.Progressing && elapsed > d.grace():
		return outcome{Failed: fmt.Sprintf("%s is not healthy %s after the promotion (%s)", app.ArgocdApp, d.grace(), a.Report())}, nil
	}
	return r.argoWait(app, late, fmt.Sprintf("waiting for %s to become Healthy (%s)", app.ArgocdApp, a.Report())), nil
}

// argoWait waits with blocker, or fails once the verify timeout has passed.
func (r *Runner) argoWait(app release.Application, late bool, blocker string) outcome {
	if late {
		return outcome{Failed: fmt.Sprintf("not verified within %s: %s", r.opts.Deploy.verifyTimeout(), blocker)}
	}
	return outcome{Retry: r.now().Add(r.opts.Deploy.verifyRecheck()), Blocker: blocker}
}

// deployed reports whether Argo CD is Synced at the promotion commit or a later one. With no
// promotion commit (nothing changed, or action none) being Synced is enough.
func (r *Runner) deployed(ctx context.Context, app release.Application, a argocd.Application) (bool, error) {
	if a.SyncStatus != argocd.Synced {
		return false, nil
	}
	if app.CommitSHA == "" || a.Revision == app.CommitSHA {
		return true, nil
	}
	if a.Revision == "" {
		return false, nil
	}
	creds, err := r.model.Credentials(ctx, app.RepoURL)
	if err != nil {
		return false, err
	}
	ok, err := r.git.Contains(ctx, gitops.Remote{URL: app.RepoURL, Credentials: creds}, a.Revision, app.CommitSHA)
	if err != nil && !errors.Is(err, context.Canceled) {
		r.log.Warn("compare Argo CD revision", "app", app.ArgocdApp, "revision", a.Revision, "err", err)
		return false, nil
	}
	return ok, err
}

// askSync asks Argo CD to sync an application that is out of sync, when its server is set to
// sync after promotions and no sync is running. A refusal is logged: the blocker still shows
// what Argo CD reports.
func (r *Runner) askSync(ctx context.Context, app release.Application, a argocd.Application) {
	if a.SyncStatus != argocd.OutOfSync || a.OperationPhase == "Running" {
		return
	}
	if _, err := r.opts.Deploy.ArgoCD.SyncAfterPromotion(ctx, app.ArgocdServer, app.ArgocdApp); err != nil && ctx.Err() == nil {
		r.log.Warn("ask Argo CD to sync", "server", app.ArgocdServer, "app", app.ArgocdApp, "err", err)
	}
}
