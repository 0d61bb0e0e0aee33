package runner

import (
	"context"
	"fmt"

	"ladder/db"
	"ladder/internal/gitops"
	"ladder/internal/release"
)

// statusTarget is a commit a release reports on: the trigger commit, or a pull request's.
type statusTarget struct{ repo, sha string }

// postStatuses posts one commit status per environment of release id, linking to the release
// page, on the trigger commit and on the commit of each of the environment's pull requests,
// whenever the state differs from the one posted last. A host that cannot be reached is
// tried again at the next pass.
func (r *Runner) postStatuses(ctx context.Context, id string) {
	if r.opts.Deploy.Providers == nil {
		return
	}
	rel, err := r.releases.Get(ctx, id)
	if err != nil {
		return
	}
	rows, err := r.q.ListCommitStatuses(ctx, id)
	if err != nil {
		return
	}
	posted := map[string]string{}
	for _, row := range rows {
		posted[row.Environment+" "+row.RepoUrl+" "+row.Sha] = row.State
	}
	hosts := map[string]gitops.Provider{}
	for _, e := range rel.Environments {
		state := commitState(e.Status)
		for _, t := range statusTargets(rel, e) {
			if posted[e.Name+" "+t.repo+" "+t.sha] == state {
				continue
			}
			if err := r.postStatus(ctx, hosts, rel, e, t, state); err != nil {
				r.log.Warn("post commit status", "release", id, "environment", e.Name, "commit", t.sha, "err", err)
			}
		}
	}
}

// postStatus posts one status and records it.
func (r *Runner) postStatus(ctx context.Context, hosts map[string]gitops.Provider, rel release.Release, e release.Environment, t statusTarget, state string) error {
	prov, seen := hosts[t.repo]
	if !seen {
		var err error
		if prov, err = r.opts.Deploy.Providers.For(ctx, t.repo); err != nil {
			return err
		}
		hosts[t.repo] = prov
	}
	if prov == nil {
		return nil // no provider serves the repository
	}
	st := gitops.CommitStatus{State: state, Context: "ladder/" + e.Name, URL: r.opts.PublicURL + "/releases/" + rel.ID,
		Description: fmt.Sprintf("%s %s: release #%d of %s %s", e.Name, e.Status, rel.Number, rel.Product, rel.Version)}
	if err := prov.SetCommitStatus(ctx, gitops.RepoPath(t.repo), t.sha, st); err != nil {
		return err
	}
	return r.q.SetCommitStatus(ctx, db.SetCommitStatusParams{ReleaseID: rel.ID, Environment: e.Name, RepoUrl: t.repo,
		Sha: t.sha, State: state, UpdatedAt: r.now().UTC()})
}

// statusTargets are the commits environment e of rel reports on.
func statusTargets(rel release.Release, e release.Environment) []statusTarget {
	var out []statusTarget
	if rel.Trigger.SHA != "" && rel.Plan.Source.RepoURL != "" {
		out = append(out, statusTarget{rel.Plan.Source.RepoURL, rel.Trigger.SHA})
	}
	for _, app := range e.Applications {
		if app.PullRequestURL != "" && app.CommitSHA != "" {
			out = append(out, statusTarget{app.RepoURL, app.CommitSHA})
		}
	}
	return out
}

// commitState is the commit status of an environment in status.
func commitState(status string) string {
	switch status {
	case release.Running, release.Suspended, release.Terminating:
		return gitops.StatusRunning
	case release.Succeeded, release.Skipped:
		return gitops.StatusSuccess
	case release.Failed:
		return gitops.StatusFailure
	case release.Terminated:
		return gitops.StatusStopped
	}
	return gitops.StatusPending
}
