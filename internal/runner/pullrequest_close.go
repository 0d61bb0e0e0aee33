package runner

import (
	"context"
	"fmt"
	"slices"

	"ladder/db"
	"ladder/internal/gitops"
	"ladder/internal/release"
)

// closePullRequests closes the pull requests a release being terminated (or superseded) left
// open, with a comment linking the release, and deletes their branches. It reports whether a
// Git host could not be reached, to be tried again.
func (r *Runner) closePullRequests(ctx context.Context, id, status string) (again bool) {
	if r.opts.Deploy.Providers == nil || status != release.Terminating && status != release.Terminated {
		return false
	}
	rel, err := r.releases.Get(ctx, id)
	if err != nil {
		return true
	}
	closed, err := r.q.ListClosedPullRequests(ctx, id)
	if err != nil {
		return true
	}
	for _, e := range rel.Environments {
		for _, app := range e.Applications {
			if app.PullRequestURL == "" || app.Phase != release.PhaseMerge && app.Status == release.Succeeded ||
				slices.Contains(closed, app.PullRequestURL) {
				continue
			}
			if err := r.closePullRequest(ctx, rel, e, app); err != nil {
				r.log.Warn("close pull request", "release", id, "url", app.PullRequestURL, "err", err)
				again = again || gitops.Blocking(err)
			}
		}
	}
	return again
}

// closePullRequest closes the pull request of one application unless it was merged, deletes
// its branch, and records both.
func (r *Runner) closePullRequest(ctx context.Context, rel release.Release, env release.Environment, app release.Application) error {
	prov, err := r.opts.Deploy.Providers.For(ctx, app.RepoURL)
	if err != nil || prov == nil {
		return err
	}
	repo := gitops.RepoPath(app.RepoURL)
	pr, err := prov.PullRequest(ctx, repo, pullRequestNumber(app.PullRequestURL))
	if err != nil {
		return err
	}
	msg := "pull request " + app.PullRequestURL + " was merged; left as it is"
	if pr.State != gitops.PullRequestMerged {
		branch := gitops.PullRequestBranch(rel.Product, int(rel.Number), env.Name)
		if err := prov.ClosePullRequest(ctx, repo, pr, branch, closeComment(rel, r.opts.PublicURL)); err != nil {
			return err
		}
		msg = "closed pull request " + app.PullRequestURL + " and deleted branch " + branch
	}
	if err := r.q.CreateClosedPullRequest(ctx, db.CreateClosedPullRequestParams{Url: app.PullRequestURL,
		ReleaseID: rel.ID, ClosedAt: r.now().UTC()}); err != nil {
		return err
	}
	return r.releases.Change(ctx, rel.ID, func(tx *release.Tx) error {
		return tx.Event("application", env.Name+"/"+app.Name, app.Name+": "+msg)
	})
}

// closeComment says on the pull request why it was closed, linking the release.
func closeComment(rel release.Release, publicURL string) string {
	why := "was terminated"
	if rel.Error != "" {
		why = "ended: " + rel.Error
	}
	return fmt.Sprintf("Closed by Ladder: release #%d of %s %s %s.\n\n%s/releases/%s",
		rel.Number, rel.Product, rel.Version, why, publicURL, rel.ID)
}
