package runner

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"ladder/internal/argocd"
	"ladder/internal/gitops"
	"ladder/internal/release"
)

// Deploy is how the runner reaches beyond Git: the Git providers that open pull requests, the
// Argo CD servers that deploy, and health URLs. Zero fields take the defaults below; with no
// Providers no pull request is opened (the branch is pushed), with no ArgoCD an Argo CD link
// cannot be verified and fails.
type Deploy struct {
	Providers Providers
	ArgoCD    ArgoCD
	HTTP      *http.Client // for health URLs (default: a client with a 10 s timeout)
	// MergeRecheck is how often a pull request is looked at while it waits (default 10 s);
	// webhooks wake it sooner (RecheckMerges).
	MergeRecheck time.Duration
	// VerifyRecheck is how often Argo CD or a health URL is asked while verifying (default 5 s).
	VerifyRecheck time.Duration
	// VerifyTimeout bounds verification (default 10 min).
	VerifyTimeout time.Duration
	// Grace is how long after a promotion an application synced to it may be unhealthy
	// (Degraded, Missing…) before verification fails; Progressing waits for VerifyTimeout
	// (default 2 min).
	Grace time.Duration
	// Argo submits and follows the workflows of argo steps; with none, argo steps fail.
	Argo ArgoWorkflows
	// ArgoPoll is how often a running Argo workflow is looked at (default 5 s).
	ArgoPoll time.Duration
}

// Providers finds the Git provider that serves a repository.
type Providers interface {
	// For returns the provider's API client for repoURL, nil when no provider serves it.
	For(ctx context.Context, repoURL string) (gitops.Provider, error)
}

// ArgoCD reads and syncs applications on the Argo CD servers Ladder knows.
type ArgoCD interface {
	// Application reads an application as Argo CD last reconciled it.
	Application(ctx context.Context, server, app string) (argocd.Application, error)
	// Refresh makes Argo CD reconcile an application now and returns it.
	Refresh(ctx context.Context, server, app string) (argocd.Application, error)
	// SyncAfterPromotion asks for a sync when the server is set to; it reports whether it asked.
	SyncAfterPromotion(ctx context.Context, server, app string) (bool, error)
}

func (d Deploy) mergeRecheck() time.Duration  { return orDuration(d.MergeRecheck, 10*time.Second) }
func (d Deploy) verifyRecheck() time.Duration { return orDuration(d.VerifyRecheck, 5*time.Second) }
func (d Deploy) verifyTimeout() time.Duration { return orDuration(d.VerifyTimeout, 10*time.Minute) }
func (d Deploy) grace() time.Duration         { return orDuration(d.Grace, 2*time.Minute) }

func (d Deploy) http() *http.Client {
	if d.HTTP != nil {
		return d.HTTP
	}
	return &http.Client{Timeout: 10 * time.Second}
}

func orDuration(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// runVerify checks that the promotion took effect: through Argo CD when the application is
// linked to it, else through its health URL; with neither, the pushed commit is the result.
func (r *Runner) runVerify(ctx context.Context, rel release.Release, _ release.Environment, app release.Application) (outcome, error) {
	// An application with nothing to verify skips this phase (nextPhase); a release stored
	// before that was so still passes through it.
	switch {
	case app.ArgocdServer != "" && app.ArgocdApp != "":
		return r.verifyArgoCD(ctx, rel.ID, app)
	case app.HealthURL != "":
		return r.verifyHealth(ctx, app)
	}
	return outcome{Done: true}, nil
}

// verifies reports whether app has something to verify after its action: an Argo CD
// application or a health URL.
func verifies(app release.Application) bool {
	return app.ArgocdServer != "" && app.ArgocdApp != "" || app.HealthURL != ""
}

// verifying returns how long app has been verifying and whether that is past the timeout.
func (r *Runner) verifying(app release.Application) (time.Duration, bool) {
	since := app.PhaseStartedAt
	if since == nil {
		since = app.StartedAt
	}
	if since == nil {
		return 0, false
	}
	elapsed := r.now().Sub(*since)
	return elapsed, elapsed > r.opts.Deploy.verifyTimeout()
}

// verifyHealth waits until the application's health URL answers 2xx.
func (r *Runner) verifyHealth(ctx context.Context, app release.Application) (outcome, error) {
	last := checkHealth(ctx, r.opts.Deploy.http(), app.HealthURL)
	if ctx.Err() != nil {
		return outcome{}, ctx.Err()
	}
	if last == "" {
		result := "healthy: " + app.HealthURL + " answered 2xx"
		return outcome{Done: true, Message: app.Name + " " + result, Note: result}, nil
	}
	if _, late := r.verifying(app); late {
		return outcome{Failed: fmt.Sprintf("%s did not answer 2xx within %s (last: %s)", app.HealthURL, r.opts.Deploy.verifyTimeout(), last)}, nil
	}
	return outcome{Retry: r.now().Add(r.opts.Deploy.verifyRecheck()),
		Blocker: fmt.Sprintf("waiting for %s to answer 2xx (last: %s)", app.HealthURL, last)}, nil
}

// checkHealth asks url once; it returns "" for a 2xx answer, else what happened.
func checkHealth(ctx context.Context, client *http.Client, url string) string {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err.Error()
	}
	resp, err := client.Do(req)
	if err != nil {
		return "no answer: " + err.Error()
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode/100 == 2 {
		return ""
	}
	return resp.Status
}

func joinResult(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}
