package runner

import (
	"context"
	"fmt"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"ladder/internal/gitops"
	"ladder/internal/release"
)

// pushPullRequest pushes the promotion to its pull-request branch and, when a Git provider
// serves the repository, opens the pull request and links it. Repeating it finds the branch
// already holding the change and the pull request already linked.
func (r *Runner) pushPullRequest(ctx context.Context, rel release.Release, env release.Environment, app release.Application) (outcome, error) {
	req, err := r.promoteRequest(ctx, rel, env, app)
	if err != nil {
		return outcome{}, err
	}
	req.PullRequest = true
	res, err := r.git.Promote(ctx, req)
	if ctx.Err() != nil {
		return outcome{}, ctx.Err()
	}
	if err != nil {
		return r.gitFailure(app, err), nil
	}
	if res.NoChanges {
		result := "no changes: the target already holds these values; no pull request needed"
		return outcome{Done: true, Message: app.Name + ": " + result,
			Result: result}, nil
	}
	pushed := fmt.Sprintf("pushed %s to %s", short(res.Commit), res.Branch)
	var prov gitops.Provider
	if r.opts.Deploy.Providers != nil {
		if prov, err = r.opts.Deploy.Providers.For(ctx, app.RepoURL); err != nil {
			return outcome{}, err
		}
	}
	if prov == nil {
		result := pushed + "; no Git provider serves this repository: open the pull request into " + baseBranch(app) + " by hand"
		return outcome{Done: true, Message: app.Name + ": " + result, Commit: res.Commit, Result: result}, nil
	}
	pr, found, err := r.openPullRequest(ctx, prov, gitops.NewPullRequest{Repo: gitops.RepoPath(app.RepoURL), Head: res.Branch,
		Base: baseBranch(app), Title: fmt.Sprintf("Promote %s %s to %s (release #%d)", rel.Product, rel.Version, env.Name, rel.Number),
		Body: gitops.CommitMessage(req)})
	if ctx.Err() != nil {
		return outcome{}, ctx.Err()
	}
	if err != nil {
		return r.providerTrouble(app, pushed+", but opening the pull request failed: ", err), nil
	}
	result := pushed + "; opened pull request " + pr.URL
	if found {
		result = pushed + "; pull request " + pr.URL + " was already open"
	}
	return outcome{Done: true, Message: app.Name + ": " + result, Commit: res.Commit, PullRequestURL: pr.URL, Result: result}, nil
}

// openPullRequest links the open pull request of the branch when there is one (opened before
// a crash, or by an earlier attempt) and opens one otherwise: a pull request closed without
// merging is replaced by a new one from the same branch.
func (r *Runner) openPullRequest(ctx context.Context, prov gitops.Provider, in gitops.NewPullRequest) (gitops.PullRequest, bool, error) {
	pr, found, err := prov.OpenPullRequestFor(ctx, in.Repo, in.Head, in.Base)
	if err != nil || found {
		return pr, found, err
	}
	pr, err = prov.OpenPullRequest(ctx, in)
	return pr, false, err
}

// providerTrouble is the outcome of a failed call to a Git host: an answer that may change
// (unreachable, 401, rate limited, 5xx) waits as a blocker — until the host's rate-limit
// time, or backing off with the time already spent waiting — and any other fails.
func (r *Runner) providerTrouble(app release.Application, what string, err error) outcome {
	if !gitops.Blocking(err) {
		return outcome{Failed: what + err.Error()}
	}
	now := r.now()
	wait := r.opts.Deploy.mergeRecheck()
	if app.PhaseStartedAt != nil {
		wait = min(max(wait, now.Sub(*app.PhaseStartedAt)/2), 5*time.Minute)
	}
	next := now.Add(wait)
	if at := gitops.RetryAt(err); !at.IsZero() {
		next = at
	}
	return outcome{Retry: next, Blocker: "Git provider: " + what + err.Error()}
}

// baseBranch is the branch a pull request merges into: the application's branch, or main when
// it follows the remote's default branch (providers need a name).
func baseBranch(app release.Application) string {
	if app.Branch == "" {
		return "main"
	}
	return app.Branch
}

// runMerge waits until the promotion commit is reachable from the target branch, which works
// with any Git server. A provider's pull request closed without merging fails it; one merged
// by squash or rebase (whose commit never becomes reachable) lets it continue.
func (r *Runner) runMerge(ctx context.Context, rel release.Release, env release.Environment, app release.Application) (outcome, error) {
	if app.CommitSHA == "" {
		return outcome{Done: true}, nil // nothing was pushed: nothing to merge
	}
	creds, err := r.model.Credentials(ctx, app.RepoURL)
	if err != nil {
		return outcome{}, err
	}
	merged, err := r.git.Merged(ctx, gitops.Remote{URL: app.RepoURL, Credentials: creds}, app.Branch, app.CommitSHA)
	if ctx.Err() != nil {
		return outcome{}, ctx.Err()
	}
	if err != nil {
		return outcome{}, err
	}
	if merged {
		result := "merged into " + baseBranch(app)
		return outcome{Done: true, Message: app.Name + ": pull request " + result,
			Note: result}, nil
	}
	if out, decided := r.pullRequestState(ctx, app); decided {
		return out, nil
	}
	blocker := release.BlockerMerge + ": " + app.PullRequestURL
	if app.PullRequestURL == "" {
		blocker = release.BlockerMerge + ": branch " + gitops.PullRequestBranch(rel.Product, int(rel.Number), env.Name) + " into " + baseBranch(app)
	}
	return outcome{Retry: r.now().Add(r.opts.Deploy.mergeRecheck()), Blocker: blocker}, nil
}

// pullRequestState asks the provider about the linked pull request: closed unmerged fails the
// application, merged (by squash or rebase) lets it go on. Otherwise, or when the provider
// cannot answer, decided is false and the merge is waited for in Git.
func (r *Runner) pullRequestState(ctx context.Context, app release.Application) (out outcome, decided bool) {
	number := pullRequestNumber(app.PullRequestURL)
	if number == 0 || r.opts.Deploy.Providers == nil {
		return outcome{}, false
	}
	prov, err := r.opts.Deploy.Providers.For(ctx, app.RepoURL)
	if err != nil || prov == nil {
		return outcome{}, false
	}
	pr, err := prov.PullRequest(ctx, gitops.RepoPath(app.RepoURL), number)
	if err != nil {
		r.log.Warn("read pull request state", "url", app.PullRequestURL, "err", err)
		return outcome{}, false
	}
	switch pr.State {
	case gitops.PullRequestClosed:
		return outcome{Failed: "pull request " + app.PullRequestURL + " was closed without merging"}, true
	case gitops.PullRequestMerged:
		result := "merged into " + baseBranch(app) + " (squash or rebase)"
		return outcome{Done: true, Message: app.Name + ": pull request " + result,
			Note: result}, true
	}
	return outcome{}, false
}

// pullRequestNumber reads the number at the end of a pull request's web URL
// (…/pull/7, …/pulls/7, …/merge_requests/7); 0 when there is none.
func pullRequestNumber(u string) int {
	p, err := url.Parse(u)
	if err != nil {
		return 0
	}
	n, err := strconv.Atoi(path.Base(strings.TrimRight(p.Path, "/")))
	if err != nil {
		return 0
	}
	return n
}

// RecheckMerges looks again at once at every application waiting for a pull request in one of
// the repositories a push webhook named.
func (r *Runner) RecheckMerges(ctx context.Context, cloneURLs []string) error {
	waits, err := r.q.ListMergeWaits(ctx)
	if err != nil {
		return fmt.Errorf("list pull requests waiting to merge: %w", err)
	}
	woken := false
	for _, w := range waits {
		for _, u := range cloneURLs {
			if gitops.SameRepository(u, w.RepoUrl) {
				err := r.releases.Change(ctx, w.ReleaseID, func(tx *release.Tx) error {
					return tx.Queue(jobApplication, w.Environment, w.Name, tx.Now())
				})
				if err != nil {
					return err
				}
				woken = true
				break
			}
		}
	}
	if woken {
		r.Wake()
	}
	return nil
}
