package runner

import (
	"context"
	"fmt"
	"time"

	"ladder/internal/gitops"
	"ladder/internal/release"
)

// runApplication carries out the current phase of one application of a release: the promotion
// action, then verification. The Git work happens outside any transaction; its result is stored
// with the next advance job in one.
func (r *Runner) runApplication(ctx context.Context, j *job) (time.Time, error) {
	rel, err := r.releases.Get(ctx, j.releaseID)
	if err != nil {
		return time.Time{}, err
	}
	env, ok := rel.Environment(j.environment)
	if !ok || rel.Status != release.Running || env.Status != release.Running {
		return time.Time{}, nil // terminated or settled meanwhile: nothing to do
	}
	var app release.Application
	for _, a := range env.Applications {
		if a.Name == j.application {
			app = a
		}
	}
	if app.Name == "" || release.Final(app.Status) {
		return time.Time{}, nil
	}
	if app.Status == release.Pending {
		now := r.now().UTC()
		app.Status, app.StartedAt = release.Running, &now
		if err := r.releases.Change(ctx, rel.ID, func(tx *release.Tx) error {
			return tx.SetApplication(env.Name, app, "promoting "+app.Name+" ("+app.RepoURL+")")
		}); err != nil {
			return time.Time{}, err
		}
	}
	switch app.Phase {
	case release.PhaseAction:
		return time.Time{}, r.promote(ctx, rel, env, app)
	default:
		return time.Time{}, fmt.Errorf("application %s/%s: unknown phase %q", env.Name, app.Name, app.Phase)
	}
}

// promote writes the release's values into app's repository and records the outcome. A Git
// failure fails the application with the engine's message; repeating a promotion that already
// landed makes no second commit, so a retry after a crash is safe.
func (r *Runner) promote(ctx context.Context, rel release.Release, env release.Environment, app release.Application) error {
	creds, err := r.model.Credentials(ctx, app.RepoURL)
	if err != nil {
		return err
	}
	res, perr := r.git.Promote(ctx, gitops.PromoteRequest{
		Values:        &rel.Plan.Values,
		SourceCommit:  rel.Trigger.SHA,
		Target:        gitops.Remote{URL: app.RepoURL, Credentials: creds},
		TargetBranch:  app.Branch,
		TargetPath:    app.Path,
		Template:      rel.Plan.Template,
		Product:       rel.Product,
		Version:       rel.Version,
		ReleaseID:     rel.ID,
		ReleaseNumber: int(rel.Number),
		SourceEnv:     rel.TriggerEnv,
		TargetEnv:     env.Name,
		Author:        r.opts.Author,
	})
	if ctx.Err() != nil {
		return ctx.Err()
	}
	now := r.now().UTC()
	app.FinishedAt = &now
	switch {
	case perr != nil:
		app.Status, app.Error = release.Failed, perr.Error()
	case res.NoChanges:
		app.Status, app.Phase, app.Result = release.Succeeded, release.PhaseDone, "no changes: the target already holds these values"
	default:
		app.Status, app.Phase, app.CommitSHA = release.Succeeded, release.PhaseDone, res.Commit
		app.Result = fmt.Sprintf("pushed %s to %s", short(res.Commit), res.Branch)
	}
	return r.releases.Change(ctx, rel.ID, func(tx *release.Tx) error {
		msg := app.Name + ": " + app.Result
		if app.Error != "" {
			msg = app.Name + " failed: " + app.Error
		}
		if err := tx.SetApplication(env.Name, app, msg); err != nil {
			return err
		}
		return enqueue(ctx, tx.Queries(), tx.Now(), rel.ID, jobAdvance, "", "", tx.Now())
	})
}
