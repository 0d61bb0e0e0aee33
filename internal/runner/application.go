package runner

import (
	"context"
	"fmt"
	"strings"
	"time"

	"ladder/internal/release"
)

// outcome is what one phase of an application did. Exactly one of its three shapes is used:
// done (move on to the next phase), waiting (look again at Retry, showing Blocker), or failed.
type outcome struct {
	Done    bool
	Retry   time.Time // when to look again while waiting
	Blocker string    // why the application waits, shown on its environment
	Failed  string    // why the application failed
	Message string    // the event to record
	// What the phase found, copied onto the application when not empty: the commit it pushed,
	// the pull request it opened, the result that replaces the application's, and a note
	// added to that result.
	Commit         string
	PullRequestURL string
	Result         string
	Note           string
}

// apply copies what the phase found onto app.
func (o outcome) apply(app *release.Application) {
	if o.Commit != "" {
		app.CommitSHA = o.Commit
	}
	if o.PullRequestURL != "" {
		app.PullRequestURL = o.PullRequestURL
	}
	if o.Result != "" {
		app.Result = o.Result
	}
	if o.Note != "" {
		app.Result = joinResult(app.Result, o.Note)
	}
}

// phaseFunc carries out one phase of one application. It may be called again after a crash,
// so it must be idempotent: a repeated promotion finds its values already there, a repeated
// workflow run is recorded against the same step.
type phaseFunc func(ctx context.Context, rel release.Release, env release.Environment, app release.Application) (outcome, error)

// phases maps each phase to the function that carries it out.
func (r *Runner) phases() map[string]phaseFunc {
	return map[string]phaseFunc{
		release.PhasePre:    r.runPreAction,
		release.PhaseAction: r.runAction,
		release.PhaseMerge:  r.runMerge,
		release.PhaseVerify: r.runVerify,
		release.PhasePost:   r.runPostAction,
	}
}

// nextPhase is the phase after cur of app in an environment with settings s: phases with
// nothing to do are skipped.
func nextPhase(cur string, s release.Settings, app release.Application) string {
	order := []string{release.PhasePre, release.PhaseAction, release.PhaseMerge, release.PhaseVerify, release.PhasePost, release.PhaseDone}
	for i, p := range order {
		if p != cur {
			continue
		}
		for _, next := range order[i+1:] {
			switch {
			case next == release.PhasePre && s.PreAction.Value == "",
				next == release.PhaseMerge && s.Action.Value != release.ActionPullRequest,
				next == release.PhaseVerify && !verifies(app),
				next == release.PhasePost && s.PostAction.Value == "":
				continue
			}
			return next
		}
	}
	return release.PhaseDone
}

// firstPhase is where an application of an environment with settings s starts.
func firstPhase(s release.Settings) string {
	if s.PreAction.Value != "" {
		return release.PhasePre
	}
	return release.PhaseAction
}

// runApplication carries out the phases of one application of a release, one after another
// while each ends at once. The work of a phase happens outside any transaction; its outcome is
// stored, with the next job when the application has to wait, in one.
func (r *Runner) runApplication(ctx context.Context, j *job) (time.Time, error) {
	for {
		retry, again, err := r.runPhase(ctx, j)
		if err != nil || !again || ctx.Err() != nil {
			return retry, err
		}
	}
}

// runPhase runs the application's current phase and records its outcome; again is true when
// the next phase may start at once, in the same job.
func (r *Runner) runPhase(ctx context.Context, j *job) (retry time.Time, again bool, err error) {
	// Tracked before the release is read: a termination committed after this read cancels
	// jobCtx, one committed before it is seen in the read.
	jobCtx, untrack := r.running.track(ctx, j.releaseID)
	defer untrack()
	rel, err := r.releases.Get(ctx, j.releaseID)
	if err != nil {
		return time.Time{}, false, err
	}
	env, ok := rel.Environment(j.environment)
	if !ok || !active(rel.Status) || !active(env.Status) {
		return time.Time{}, false, nil // terminated or settled meanwhile: nothing to do
	}
	var app release.Application
	for _, a := range env.Applications {
		if a.Name == j.application {
			app = a
		}
	}
	if app.Name == "" || release.Final(app.Status) {
		return time.Time{}, false, nil
	}
	if app.Status == release.Pending {
		if err := r.startApplication(ctx, rel, env, &app); err != nil {
			return time.Time{}, false, err
		}
	}
	run, ok := r.phases()[app.Phase]
	if !ok {
		return time.Time{}, false, fmt.Errorf("application %s/%s: unknown phase %q", env.Name, app.Name, app.Phase)
	}
	phaseCtx := ctx
	if app.Phase == release.PhaseAction {
		phaseCtx = jobCtx // a push in flight stops when the release is terminated
	}
	out, err := run(phaseCtx, rel, env, app)
	if ctx.Err() != nil {
		return time.Time{}, false, err
	}
	if phaseCtx.Err() != nil {
		return time.Time{}, false, nil // terminated: its advance job ends the application
	}
	if err != nil {
		return time.Time{}, false, err
	}
	again, err = r.record(ctx, rel, env, app, out)
	return out.Retry, again, err
}

func (r *Runner) startApplication(ctx context.Context, rel release.Release, env release.Environment, app *release.Application) error {
	now := r.now().UTC()
	if app.Phase == release.PhaseAction && app.StartedAt == nil {
		app.Phase = firstPhase(env.Settings) // a retried application keeps the phase it stopped in
	}
	// A new start time gives the phase's workflow a new run, so a retried phase runs afresh.
	app.Status, app.StartedAt, app.PhaseStartedAt = release.Running, &now, &now
	return r.releases.Change(ctx, rel.ID, func(tx *release.Tx) error {
		return tx.SetApplication(env.Name, *app, "promoting "+app.Name+" ("+app.RepoURL+")")
	})
}

// record stores a phase's outcome: the application's new phase and status, the environment's
// blocker while it waits, and an advance job when the application ended. It reports whether
// the application moved on to a phase that can start now, which the caller runs next. The
// phase ran outside any transaction, for as long as a push takes: record first reads the
// release again and stores nothing when the application is no longer in the status and phase
// the outcome is for (the release was terminated or retried meanwhile).
func (r *Runner) record(ctx context.Context, rel release.Release, env release.Environment, app release.Application, out outcome) (bool, error) {
	now := r.now().UTC()
	was := app
	out.apply(&app)
	switch {
	case out.Failed != "":
		app.Status, app.Error, app.FinishedAt = release.Failed, out.Failed, &now
		if out.Message == "" {
			out.Message = app.Name + " failed: " + out.Failed
		}
	case out.Done:
		app.Phase, app.PhaseStartedAt = nextPhase(app.Phase, env.Settings, app), &now
		if app.Phase == release.PhaseDone {
			app.Status, app.FinishedAt = release.Succeeded, &now
		}
	}
	moved := out.Done && app.Status == release.Running
	stale := false
	err := r.releases.Change(ctx, rel.ID, func(tx *release.Tx) error {
		gone, err := r.changed(tx, env.Name, was, out)
		if stale = gone; gone || err != nil {
			return err
		}
		if out.Message != "" || out.Done || out.Failed != "" {
			if err := tx.SetApplication(env.Name, app, orDefault(out.Message, app.Name+": "+app.Phase)); err != nil {
				return err
			}
		}
		if !out.Done && out.Failed == "" {
			return hold(ctx, tx, env, out.Blocker)
		}
		if err := resume(ctx, tx, env, app); err != nil {
			return err
		}
		if moved {
			return nil // the job goes on with the next phase
		}
		return tx.Queue(jobAdvance, "", "", tx.Now())
	})
	return moved && !stale && err == nil, err
}

// changed reports whether application was of environment env is no longer in the status and
// phase it had when its phase started, or its release or environment no longer runs. A commit
// the outcome reports that landed all the same is kept on the application, with what happened.
func (r *Runner) changed(tx *release.Tx, env string, was release.Application, out outcome) (bool, error) {
	cur, err := tx.Load()
	if err != nil {
		return false, err
	}
	e, _ := cur.Environment(env)
	for _, a := range e.Applications {
		if a.Name != was.Name {
			continue
		}
		if active(cur.Status) && active(e.Status) && a.Status == was.Status && a.Phase == was.Phase {
			return false, nil
		}
		if out.Commit != "" && a.CommitSHA != out.Commit {
			a.CommitSHA = out.Commit
			a.Result = joinResult(a.Result, "pushed "+short(out.Commit)+" although the release was "+strings.ToLower(cur.Status)+" meanwhile")
			return true, tx.SetApplication(env, a, a.Name+": "+a.Result)
		}
		return true, nil
	}
	return true, nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
