package runner

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"ladder/internal/release"
)

// jobHook runs one hook workflow of a release: an environment's pre, post or onFail hook (the
// job's environment is set) or a release hook (onStart, onSuccess, onFail). The job's application
// field holds the hook's scope.
const jobHook = "hook"

// Where a hook stands, as the advancer sees it.
const (
	hookDone    = iota // no hook, or it succeeded
	hookRunning        // started (or asked for) and not ended
	hookFailed         // failed or was terminated
)

// hookScope is the scope of the hook called kind in environment env ("" for release hooks).
func hookScope(rel release.Release, env, kind string) scope {
	sc := scope{kind: kind, rel: rel, run: millis(rel.StartedAt)}
	if env != "" {
		sc.env, _ = rel.Environment(env)
		sc.run = millis(sc.env.StartedAt)
	}
	switch kind {
	case scopeHookPre:
		sc.workflow = sc.env.Hooks.Pre
	case scopeHookPost:
		sc.workflow = sc.env.Hooks.Post
	case scopeHookFail:
		sc.workflow = sc.env.Hooks.OnFail
	case scopeOnStart:
		sc.workflow = rel.Plan.Hooks.OnStart
	case scopeOnSuccess:
		sc.workflow = rel.Plan.Hooks.OnSuccess
	case scopeOnFail:
		sc.workflow = rel.Plan.Hooks.OnFail
	}
	return sc
}

// runHook carries a hook workflow forward. While it waits, its scope shows why; once it ended,
// the release's advance job decides what follows.
func (r *Runner) runHook(ctx context.Context, j *job) (time.Time, error) {
	rel, err := r.releases.Get(ctx, j.releaseID)
	if err != nil {
		return time.Time{}, err
	}
	sc := hookScope(rel, j.environment, j.application)
	if sc.workflow == "" || !hookMayRun(rel, sc) {
		return time.Time{}, nil // settled meanwhile: nothing to do
	}
	res, err := r.runWorkflow(ctx, sc)
	if err != nil || ctx.Err() != nil {
		return time.Time{}, err
	}
	return res.Retry, r.releases.Change(ctx, rel.ID, func(tx *release.Tx) error {
		if res.Status != "" {
			if sc.env.Status == release.Suspended { // it waited on people; now Ladder goes on
				sc.env.Status, sc.env.Blocker = release.Running, ""
				if err := tx.SetEnvironment(sc.env, sc.label()+" no longer waits"); err != nil {
					return err
				}
			}
			return tx.Queue(jobAdvance, "", "", tx.Now())
		}
		if sc.env.Name != "" {
			return hold(ctx, tx, sc.env, res.Blocker) // SUSPENDED while it waits for approval
		}
		cur, err := tx.Load()
		if err != nil || cur.Blocker == res.Blocker {
			return err
		}
		cur.Blocker = res.Blocker
		return tx.SetRelease(cur, res.Blocker)
	})
}

// hookMayRun reports whether the release is in the state the hook runs in: onFail hooks run
// while a failed release or environment ends and while a release is terminated; the others
// while it runs.
func hookMayRun(rel release.Release, sc scope) bool {
	if sc.env.Name != "" && !active(sc.env.Status) {
		return false
	}
	if sc.onFail() {
		return active(rel.Status) || rel.Status == release.Terminating
	}
	return active(rel.Status)
}

// hook returns where the hook of scope sc stands, asking for its job when it has not started.
func (a *advancer) hook(sc scope) (int, string, error) {
	if sc.workflow == "" || a.rel.StartedAt == nil {
		return hookDone, "", nil
	}
	row, err := a.tx.WorkflowRun(sc.env.Name, "", sc.kind, sc.run)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return hookRunning, "", a.tx.Queue(jobHook, sc.env.Name, sc.kind, a.tx.Now())
	case err != nil:
		return 0, "", fmt.Errorf("read %s: %w", sc.label(), err)
	case row.Status == release.Succeeded:
		return hookDone, "", nil
	case release.Final(row.Status):
		return hookFailed, sc.label() + " failed: " + row.Error, nil
	}
	return hookRunning, "", nil
}

// onStart runs the release's onStart hook before any environment; it reports whether the
// environments may go on.
func (a *advancer) onStart() (bool, error) {
	state, reason, err := a.hook(hookScope(a.rel, "", scopeOnStart))
	switch {
	case err != nil:
		return false, err
	case state == hookRunning:
		return false, a.releaseBlocker("running the onStart hook " + a.rel.Plan.Hooks.OnStart)
	case state == hookFailed:
		return false, a.finish(release.Failed, reason)
	}
	return true, nil
}

// envHook runs environment e's hook of kind (pre or post); it reports whether e may go on.
// A failing hook fails the environment.
func (a *advancer) envHook(e *release.Environment, kind string) (bool, error) {
	sc := hookScope(a.rel, e.Name, kind)
	sc.env = *e
	state, reason, err := a.hook(sc)
	switch {
	case err != nil:
		return false, err
	case state == hookRunning:
		return false, a.block(e, "running the "+sc.label())
	case state == hookFailed:
		return false, a.failEnvironment(e, reason)
	}
	return true, nil
}

// failEnvironment fails environment e for reason once its onFail hook ran. While the hook
// runs, e stays under way with its error set (the hook reads it as ERROR_MESSAGE), so nothing
// new starts and the release waits; a failing onFail hook's error is added to e's.
func (a *advancer) failEnvironment(e *release.Environment, reason string) error {
	if e.Error == "" {
		e.Error = reason
	}
	state, why, err := a.envOnFail(e)
	switch {
	case err != nil:
		return err
	case state == hookRunning:
		return nil
	case state == hookFailed:
		e.Error += "; " + why
	}
	now := a.tx.Now()
	e.Status, e.Blocker, e.FinishedAt = release.Failed, "", &now
	return a.tx.SetEnvironment(*e, "promotion to "+e.Name+" failed: "+e.Error)
}

// envOnFail carries environment e's onFail hook forward; while it runs, e shows it as its
// blocker.
func (a *advancer) envOnFail(e *release.Environment) (int, string, error) {
	sc := hookScope(a.rel, e.Name, scopeHookFail)
	sc.env = *e
	state, why, err := a.hook(sc)
	if err == nil && state == hookRunning {
		err = a.block(e, "running the "+sc.label())
	}
	return state, why, err
}

// failing reports whether environment e failed or is failing (its onFail hook runs).
func failing(e release.Environment) bool {
	return e.Status == release.Failed || active(e.Status) && e.Error != ""
}

// finish ends the release with status (Succeeded or Failed) once its end hook ran: onSuccess
// before success (its failure fails the release), onFail before failure. The hooks run while
// the release is still RUNNING, with its error already set for ERROR_MESSAGE.
func (a *advancer) finish(status, reason string) error {
	rel := &a.rel
	if status == release.Succeeded {
		state, why, err := a.hook(hookScope(*rel, "", scopeOnSuccess))
		switch {
		case err != nil:
			return err
		case state == hookRunning:
			return a.releaseBlocker("running the onSuccess hook " + rel.Plan.Hooks.OnSuccess)
		case state == hookFailed:
			status, reason = release.Failed, why
		}
	}
	if status == release.Failed {
		done, err := a.onFail(reason)
		if !done || err != nil {
			return err
		}
	}
	now := a.tx.Now()
	rel.Status, rel.Blocker, rel.FinishedAt = status, "", &now
	message := "release succeeded"
	if status == release.Failed {
		message = "release failed: " + rel.Error
	}
	if err := a.tx.SetRelease(*rel, message); err != nil {
		return err
	}
	return a.wakeQueued()
}

// onFail runs the onFail hook of a release failing (or being terminated) for reason; it
// reports whether the hook is done with. The hook's own failure is added to the release's
// error.
func (a *advancer) onFail(reason string) (bool, error) {
	rel := &a.rel
	if rel.Error == "" || rel.Status != release.Terminating {
		rel.Error = reason
	}
	state, why, err := a.hook(hookScope(*rel, "", scopeOnFail))
	switch {
	case err != nil:
		return false, err
	case state == hookRunning:
		return false, a.releaseBlocker("running the onFail hook " + rel.Plan.Hooks.OnFail)
	case state == hookFailed:
		rel.Error += "; " + why
	}
	return true, nil
}

// releaseBlocker records why the release waits, when that changed; it also stores the
// release's error, which hooks read.
func (a *advancer) releaseBlocker(blocker string) error {
	cur, err := a.tx.Load()
	if err != nil {
		return err
	}
	if cur.Blocker == blocker && cur.Error == a.rel.Error {
		return nil
	}
	a.rel.Blocker = blocker
	return a.tx.SetRelease(a.rel, blocker)
}
