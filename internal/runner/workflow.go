package runner

import (
	"context"

	"ladder/internal/release"
)

// runPreAction runs the environment's pre-action workflow for one application.
// Workflow steps are not built yet: the application fails saying so, rather than skipping a
// check someone configured.
func (r *Runner) runPreAction(_ context.Context, _ release.Release, env release.Environment, _ release.Application) (outcome, error) {
	return outcome{Failed: "pre-action workflow " + env.Settings.PreAction.Value + " cannot run: workflow steps are not built yet"}, nil
}

// runPostAction runs the environment's post-action workflow for one application.
// Workflow steps are not built yet: the application fails saying so.
func (r *Runner) runPostAction(_ context.Context, _ release.Release, env release.Environment, _ release.Application) (outcome, error) {
	return outcome{Failed: "post-action workflow " + env.Settings.PostAction.Value + " cannot run: workflow steps are not built yet"}, nil
}
