package runner

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"ladder/internal/argocd"
	"ladder/internal/freeze"
	"ladder/internal/release"
)

// soakGate holds environment e until every environment it depends on has run the release's
// version for e.Soak.After, counted from when the release succeeded there. That time is stored
// with the release, so a restart neither resets nor shortens a soak. A dependency another
// release has since put a different version into fails e: it no longer runs what soaked. With
// e.Soak.Health, the dependencies' applications must be healthy when the time is up; that
// check reaches Argo CD, so it is asked for here and made outside the transaction (see
// advance). It reports whether e may start.
func (a *advancer) soakGate(e *release.Environment) (bool, error) {
	if e.Soak.After <= 0 {
		return true, nil
	}
	if e.Error != "" {
		return false, a.failEnvironment(e, e.Error) // its onFail hook still runs
	}
	now := a.tx.Now()
	var waiting []string
	end := now
	for _, name := range e.DependsOn {
		dep, ok := a.rel.Environment(name)
		if !ok || dep.FinishedAt == nil {
			continue
		}
		gone, err := a.replaced(dep, e.Soak.After)
		if err != nil {
			return false, err
		}
		if gone != "" {
			return false, a.failEnvironment(e, gone)
		}
		until := dep.FinishedAt.Add(e.Soak.After)
		if now.Before(until) {
			waiting = append(waiting, soakBlocker(name, a.rel.Version, now.Sub(*dep.FinishedAt), e.Soak.After, until, now))
			end = latest(end, until)
		}
	}
	if len(waiting) > 0 {
		a.later(earliest(end, now.Add(soakTick(e.Soak.After))))
		return false, a.block(e, strings.Join(waiting, "; "))
	}
	if !e.Soak.Health {
		return true, nil
	}
	return a.soakHealth(e)
}

// soakHealth takes the result of the health check made after e's soak time was up, or asks
// for one (advance makes it once this pass has committed, and looks again at once).
func (a *advancer) soakHealth(e *release.Environment) (bool, error) {
	res, ok := a.r.soakChecks.take(a.rel.ID + "/" + e.Name)
	if !ok {
		check := soakCheck{key: a.rel.ID + "/" + e.Name, soak: e.Soak.After}
		for _, name := range e.DependsOn {
			dep, _ := a.rel.Environment(name)
			check.apps = append(check.apps, dep.Applications...)
		}
		a.healthDue = append(a.healthDue, check)
		return false, nil
	}
	switch {
	case res.failed != "":
		return false, a.failEnvironment(e, res.failed)
	case res.blocker != "":
		a.later(a.tx.Now().Add(a.r.opts.Deploy.verifyRecheck()))
		return false, a.block(e, res.blocker)
	}
	return true, nil
}

// replaced says why dependency dep no longer runs the release's version: a newer release put
// another version there. "" when it still does.
func (a *advancer) replaced(dep release.Environment, soak time.Duration) (string, error) {
	if dep.IsTrigger {
		return "", nil // the trigger environment is not promoted into; its version was found there
	}
	d, ok, err := a.tx.DeployedIn(a.rel.Product, dep.Name)
	if err != nil || !ok || d.ReleaseID == a.rel.ID || d.Version == a.rel.Version {
		return "", err
	}
	into := ""
	if d.At != nil && dep.FinishedAt != nil {
		into = " " + whole(d.At.Sub(*dep.FinishedAt), soak) + " into the " + freeze.FormatDuration(soak) + " soak"
	}
	return fmt.Sprintf("soak ended: %s no longer runs %s (release #%d put %s there%s)",
		dep.Name, a.rel.Version, d.Number, d.Version, into), nil
}

// soakBlocker is the countdown shown while an environment soaks:
// "soaking: staging has run 1.3.2 for 12m of 30m (until 14:05 UTC)".
func soakBlocker(env, version string, ran, soak time.Duration, until, now time.Time) string {
	at := until.UTC().Format("15:04 UTC")
	if until.UTC().YearDay() != now.UTC().YearDay() || until.Sub(now) > 24*time.Hour {
		at = until.UTC().Format("Mon 15:04 UTC")
	}
	return fmt.Sprintf("soaking: %s has run %s for %s of %s (until %s)", env, version, whole(ran, soak), freeze.FormatDuration(soak), at)
}

// whole writes d in whole minutes ("12m", "1h5m"), or whole seconds for a soak shorter than
// a minute ("4s"); "0m" or "0s" before the first.
func whole(d, soak time.Duration) string {
	unit, zero := time.Minute, "0m"
	if soak < time.Minute {
		unit, zero = time.Second, "0s"
	}
	if d = d.Truncate(unit); d <= 0 {
		return zero
	}
	return freeze.FormatDuration(d)
}

// soakTick is how often a soak's countdown is brought up to date: every minute, or every
// thirtieth of a long soak, so no soak writes more than about thirty updates.
func soakTick(soak time.Duration) time.Duration { return max(time.Minute, soak/30) }

func latest(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// soakCheck is a health check asked for at the end of a soak: the applications of the
// environments soaked in.
type soakCheck struct {
	key  string
	soak time.Duration
	apps []release.Application
}

// soakResult is what a soak's health check found: a reason to fail, a blocker to wait with,
// or neither (healthy).
type soakResult struct{ failed, blocker string }

// soakResults hands the results of health checks from the pass after a commit to the next
// pass. Kept in memory only: after a restart the check is simply made again.
type soakResults struct {
	mu sync.Mutex
	m  map[string]soakResult
}

func (s *soakResults) put(key string, r soakResult) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string]soakResult{}
	}
	s.m[key] = r
}

func (s *soakResults) take(key string) (soakResult, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.m[key]
	delete(s.m, key)
	return r, ok
}

// checkSoaks makes the health checks an advance pass asked for and keeps their results for
// the next pass.
func (r *Runner) checkSoaks(ctx context.Context, due []soakCheck) {
	for _, c := range due {
		r.soakChecks.put(c.key, r.soakHealthOf(ctx, c))
	}
}

// soakHealthOf checks each application once: Healthy in Argo CD (Degraded fails the soak;
// Progressing, Suspended, Missing or an unreadable application wait), or a 2xx answer from
// its health URL; one with neither has nothing to check.
func (r *Runner) soakHealthOf(ctx context.Context, c soakCheck) soakResult {
	after := "soaked " + freeze.FormatDuration(c.soak) + "; "
	for _, app := range c.apps {
		switch {
		case app.ArgocdApp != "" && r.opts.Deploy.ArgoCD == nil:
			return soakResult{failed: fmt.Sprintf("soak health check: %s is linked to Argo CD server %s, but Argo CD is not configured", app.Name, app.ArgocdServer)}
		case app.ArgocdApp != "":
			a, err := r.opts.Deploy.ArgoCD.Application(ctx, app.ArgocdServer, app.ArgocdApp)
			switch {
			case err != nil:
				return soakResult{blocker: after + "cannot read Argo CD application " + app.ArgocdApp + ": " + err.Error()}
			case a.Health == argocd.Degraded:
				return soakResult{failed: fmt.Sprintf("soak failed: %s in %s is Degraded in Argo CD after %s (%s)",
					app.ArgocdApp, app.Environment, freeze.FormatDuration(c.soak), a.Report())}
			case a.Health != argocd.Healthy:
				return soakResult{blocker: fmt.Sprintf("%swaiting for %s in %s to be Healthy in Argo CD (%s)", after, app.ArgocdApp, app.Environment, a.Report())}
			}
		case app.HealthURL != "":
			if last := checkHealth(ctx, r.opts.Deploy.http(), app.HealthURL); last != "" {
				return soakResult{blocker: fmt.Sprintf("%swaiting for %s to answer 2xx (last: %s)", after, app.HealthURL, last)}
			}
		}
	}
	return soakResult{}
}
