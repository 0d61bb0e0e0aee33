package runner

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"ladder/internal/argocd"
	"ladder/internal/gitops"
	"ladder/internal/release"
)

// verifyArgoCD waits until Argo CD reports the application synced to the promotion commit (or
// a later one) by a finished operation, and Healthy. A failed sync of that commit fails at
// once with Argo CD's message; Progressing and Suspended (a paused rollout) are waited for
// until the verify timeout; other unhealthy states and error conditions get the grace period
// to settle, then fail. Blockers quote what Argo CD reports, down to the resources' own
// health messages.
func (r *Runner) verifyArgoCD(ctx context.Context, relID string, app release.Application) (outcome, error) {
	d := r.opts.Deploy
	if d.ArgoCD == nil {
		return outcome{Failed: "application is linked to Argo CD server " + app.ArgocdServer + ", but Argo CD is not configured"}, nil
	}
	key := relID + "/" + app.Environment + "/" + app.Name + "@" + app.CommitSHA
	a, err := r.readArgoCD(ctx, key, app)
	if ctx.Err() != nil {
		return outcome{}, ctx.Err()
	}
	elapsed, late := r.verifying(app)
	if err != nil {
		return r.argoWait(app, elapsed, late, "cannot read Argo CD application "+app.ArgocdApp+": "+err.Error()), nil
	}
	out, err := r.judgeArgoCD(ctx, key, app, a, elapsed)
	if err != nil {
		return outcome{}, err
	}
	if out.Done || out.Failed != "" {
		r.argoSeen.forget(key)
	}
	if out.Blocker != "" {
		out = r.argoWait(app, elapsed, late, out.Blocker)
	}
	return out, nil
}

// judgeArgoCD decides from what Argo CD reports; a Blocker in the outcome means wait.
func (r *Runner) judgeArgoCD(ctx context.Context, key string, app release.Application, a argocd.Application, elapsed time.Duration) (outcome, error) {
	grace := r.opts.Deploy.grace()
	failed, err := r.reaches(ctx, app, a.OperationRevision(app.RepoURL, app.Path))
	if err != nil {
		return outcome{}, err
	}
	if failed && a.OperationFailed() {
		return outcome{Failed: fmt.Sprintf("Argo CD could not sync %s to %s (%s)", app.ArgocdApp, short(app.CommitSHA), a.Report())}, nil
	}
	if conds := a.ErrorConditions(); len(conds) > 0 && elapsed > grace {
		return outcome{Failed: fmt.Sprintf("%s reports %s %s after the promotion (%s)", app.ArgocdApp, conds[0].Type, grace, a.Report())}, nil
	}
	revision := a.Revision(app.RepoURL, app.Path)
	deployed := false
	if a.SyncStatus == argocd.Synced {
		if deployed, err = r.reaches(ctx, app, revision); err != nil {
			return outcome{}, err
		}
	}
	switch {
	case !deployed:
		r.askSync(ctx, key, app, a)
		what := fmt.Sprintf("waiting for Argo CD to sync %s to %s (%s", app.ArgocdApp, short(app.CommitSHA), a.Report())
		if revision != "" && a.SyncStatus == argocd.Synced {
			what += ", at " + short(revision)
		}
		return outcome{Blocker: what + ")"}, nil
	case a.Running():
		return outcome{Blocker: fmt.Sprintf("waiting for Argo CD to finish syncing %s (%s)", app.ArgocdApp, a.Report())}, nil
	case a.Health == argocd.Healthy:
		result := fmt.Sprintf("Argo CD: %s Synced to %s and Healthy", app.ArgocdApp, short(revision))
		return outcome{Done: true, Message: app.Name + ": " + result,
			Note: result}, nil
	case a.Health == argocd.Suspended:
		return outcome{Blocker: fmt.Sprintf("waiting for %s to resume (%s)", app.ArgocdApp, a.Report())}, nil
	case a.Health != argocd.Progressing && elapsed > grace:
		return outcome{Failed: fmt.Sprintf("%s is not healthy %s after the promotion (%s)", app.ArgocdApp, grace, a.Report())}, nil
	}
	return outcome{Blocker: fmt.Sprintf("waiting for %s to become Healthy (%s)", app.ArgocdApp, a.Report())}, nil
}

// readArgoCD reads the application, asking Argo CD to refresh it the first time it is read
// for this promotion: a refresh makes Argo CD reconcile at once and the call waits for it, so
// later reads take what Argo CD has without forcing another reconcile.
func (r *Runner) readArgoCD(ctx context.Context, key string, app release.Application) (argocd.Application, error) {
	if r.argoSeen.has(key, "refreshed") {
		return r.opts.Deploy.ArgoCD.Application(ctx, app.ArgocdServer, app.ArgocdApp)
	}
	a, err := r.opts.Deploy.ArgoCD.Refresh(ctx, app.ArgocdServer, app.ArgocdApp)
	if err == nil {
		r.argoSeen.mark(key, "refreshed")
	}
	return a, err
}

// argoWait waits with blocker, looking again later the longer verification lasts (every
// recheck interval at first, up to six times it), or fails once the verify timeout has passed.
func (r *Runner) argoWait(app release.Application, elapsed time.Duration, late bool, blocker string) outcome {
	if late {
		return outcome{Failed: fmt.Sprintf("not verified within %s: %s", r.opts.Deploy.verifyTimeout(), blocker)}
	}
	every := r.opts.Deploy.verifyRecheck()
	every = min(max(every, elapsed/10), 6*every)
	return outcome{Retry: r.now().Add(every), Blocker: blocker}
}

// reaches reports whether revision is the promotion commit or a later one. With no promotion
// commit (nothing changed, or action none) any revision Argo CD reports counts.
func (r *Runner) reaches(ctx context.Context, app release.Application, revision string) (bool, error) {
	if app.CommitSHA == "" || revision == app.CommitSHA {
		return true, nil
	}
	if revision == "" {
		return false, nil
	}
	creds, err := r.model.Credentials(ctx, app.RepoURL)
	if err != nil {
		return false, err
	}
	ok, err := r.git.Contains(ctx, gitops.Remote{URL: app.RepoURL, Credentials: creds}, revision, app.CommitSHA)
	if err != nil && !errors.Is(err, context.Canceled) {
		r.log.Warn("compare Argo CD revision", "app", app.ArgocdApp, "revision", revision, "err", err)
		return false, nil
	}
	return ok, err
}

// askSync asks Argo CD once per promotion to sync an application that is out of sync, when its
// server is set to sync after promotions and no operation is running. Asking again would reset
// the retry count of a sync Argo CD is retrying. A refusal is logged and asked again later.
func (r *Runner) askSync(ctx context.Context, key string, app release.Application, a argocd.Application) {
	if a.SyncStatus != argocd.OutOfSync || a.Running() || r.argoSeen.has(key, "synced") {
		return
	}
	asked, err := r.opts.Deploy.ArgoCD.SyncAfterPromotion(ctx, app.ArgocdServer, app.ArgocdApp)
	switch {
	case err != nil && ctx.Err() == nil:
		r.log.Warn("ask Argo CD to sync", "server", app.ArgocdServer, "app", app.ArgocdApp, "err", err)
	case err == nil && asked:
		r.argoSeen.mark(key, "synced")
	}
}

// argoMemo remembers, per promotion being verified, what was already asked of Argo CD (a
// refresh, a sync). It lives in memory: after a restart one more refresh is asked for.
type argoMemo struct {
	mu   sync.Mutex
	done map[string]bool
}

func (m *argoMemo) has(key, what string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.done[key+" "+what]
}

func (m *argoMemo) mark(key, what string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.done == nil {
		m.done = map[string]bool{}
	}
	m.done[key+" "+what] = true
}

func (m *argoMemo) forget(key string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for k := range m.done {
		if strings.HasPrefix(k, key+" ") {
			delete(m.done, k)
		}
	}
}
