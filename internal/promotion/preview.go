package promotion

import (
	"context"
	"fmt"

	"ladder/internal/gitops"
	"ladder/internal/release"
)

// FileDiff is what a promotion would change in one application: a unified diff of its files,
// empty when the application already holds the values.
type FileDiff struct {
	Environment string
	Application string
	Diff        string
}

// Preview dry-runs every promotion of spec on the target branches as they are now and returns
// the diff for each target application, in order. Nothing is committed.
func (p *Planner) Preview(ctx context.Context, spec release.Spec) ([]FileDiff, error) {
	var out []FileDiff
	for _, e := range spec.Environments {
		if e.IsTrigger {
			continue
		}
		for _, a := range e.Applications {
			res, err := p.previewApp(ctx, spec, a)
			if err != nil {
				return nil, fmt.Errorf("preview %s/%s: %w", e.Name, a.Name, err)
			}
			diff, err := gitops.Diff(res.Changes)
			if err != nil {
				return nil, fmt.Errorf("diff %s/%s: %w", e.Name, a.Name, err)
			}
			out = append(out, FileDiff{Environment: e.Name, Application: a.Name, Diff: diff})
		}
	}
	return out, nil
}

// previewApp asks the Git engine what promoting spec's values into a would change, with the
// request the runner's commit action makes (the values read once, at the trigger commit).
func (p *Planner) previewApp(ctx context.Context, spec release.Spec, a release.Target) (gitops.Result, error) {
	remote, err := p.Credentials.Remote(ctx, a.RepoURL)
	if err != nil {
		return gitops.Result{}, err
	}
	return p.Git.Preview(ctx, gitops.PromoteRequest{Values: &spec.Plan.Values, SourceCommit: spec.Trigger.SHA,
		Target: remote, TargetBranch: a.Branch, TargetPath: a.Path, Template: spec.Plan.Template})
}
