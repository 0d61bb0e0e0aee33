package runner

import (
	"context"

	"ladder/internal/release"
)

// pushPullRequest pushes the promotion to a pull-request branch and opens the pull request.
// Not built yet: the application fails saying so.
func (r *Runner) pushPullRequest(_ context.Context, _ release.Release, _ release.Environment, _ release.Application) (outcome, error) {
	return outcome{Failed: "the pull-request action is not built into the runner yet"}, nil
}

// runMerge waits until the promotion's pull request is merged. Not built yet.
func (r *Runner) runMerge(_ context.Context, _ release.Release, _ release.Environment, _ release.Application) (outcome, error) {
	return outcome{Failed: "waiting for pull request merges is not built into the runner yet"}, nil
}

// runVerify checks that the promotion took effect. With no Argo CD link or health URL (the
// only case built so far) the pushed commit is the result.
func (r *Runner) runVerify(_ context.Context, _ release.Release, _ release.Environment, _ release.Application) (outcome, error) {
	return outcome{Done: true}, nil
}
