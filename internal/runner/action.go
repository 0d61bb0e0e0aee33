package runner

import (
	"context"
	"fmt"

	"ladder/internal/gitops"
	"ladder/internal/release"
)

// runAction carries out the environment's promotion action for one application.
func (r *Runner) runAction(ctx context.Context, rel release.Release, env release.Environment, app release.Application) (outcome, error) {
	switch env.Settings.Action.Value {
	case release.ActionNone:
		return outcome{Done: true, Message: app.Name + ": no Git change (action none)",
			Result: "no Git change (action none)"}, nil
	case release.ActionCommit:
		return r.commit(ctx, rel, env, app)
	case release.ActionPullRequest:
		return r.pushPullRequest(ctx, rel, env, app)
	}
	return outcome{Failed: fmt.Sprintf("no promotion action resolved (got %q)", env.Settings.Action.Value)}, nil
}

// promoteRequest is the Git engine's request for promoting rel into app.
func (r *Runner) promoteRequest(ctx context.Context, rel release.Release, env release.Environment, app release.Application) (gitops.PromoteRequest, error) {
	creds, err := r.model.Credentials(ctx, app.RepoURL)
	if err != nil {
		return gitops.PromoteRequest{}, err
	}
	return gitops.PromoteRequest{
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
	}, nil
}

// commit writes the release's values into app's branch. A Git failure fails the application
// with the engine's message; repeating a promotion that already landed makes no second commit,
// so a retry after a crash is safe.
func (r *Runner) commit(ctx context.Context, rel release.Release, env release.Environment, app release.Application) (outcome, error) {
	req, err := r.promoteRequest(ctx, rel, env, app)
	if err != nil {
		return outcome{}, err
	}
	res, err := r.git.Promote(ctx, req)
	if ctx.Err() != nil {
		return outcome{}, ctx.Err()
	}
	if err != nil {
		return r.gitFailure(app, err), nil
	}
	if res.NoChanges {
		result := "no changes: the target already holds these values"
		return outcome{Done: true, Message: app.Name + ": " + result,
			Result: result}, nil
	}
	result := fmt.Sprintf("pushed %s to %s", short(res.Commit), res.Branch)
	return outcome{Done: true, Message: app.Name + ": " + result, Commit: res.Commit, Result: result}, nil
}
