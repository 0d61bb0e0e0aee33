package runner

import (
	"context"
	"fmt"
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
	// Record copies what the phase found (commit, pull request, result) onto the application.
	Record func(*release.Application)
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
	out, err := run(ctx, rel, env, app)
	if err != nil || ctx.Err() != nil {
		return time.Time{}, false, err
	}
	again, err = r.record(ctx, rel, env, app, out)
	return out.Retry, again, err
}

func (r *Runner) startApplication(ctx context.Context, rel release.Release, env release.Environment, app *release.Application) error {
	now := r.now().UTC()
	app.Status, app.StartedAt, app.PhaseStartedAt = release.Running, &now, &now
	if app.Phase == release.PhaseAction {
		app.Phase = firstPhase(env.Settings)
	}
	return r.releases.Change(ctx, rel.ID, func(tx *release.Tx) error {
		return tx.SetApplication(env.Name, *app, "promoting "+app.Name+" ("+app.RepoURL+")")
	})
}

// record stores a phase's outcome: the application's new phase and status, the environment's
// blocker while it waits, and an advance job when the application ended. It reports whether
// the application moved on to a phase that can start now, which the caller runs next.
func (r *Runner) record(ctx context.Context, rel release.Release, env release.Environment, app release.Application, out outcome) (bool, error) {
	now := r.now().UTC()
	if out.Record != nil {
		out.Record(&app)
	}
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
	err := r.releases.Change(ctx, rel.ID, func(tx *release.Tx) error {
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
		return enqueue(ctx, tx.Queries(), tx.Now(), rel.ID, jobAdvance, "", "", tx.Now())
	})
	return moved && err == nil, err
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
