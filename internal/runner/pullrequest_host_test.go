package runner_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"ladder/internal/gitops"
	"ladder/internal/provider"
	"ladder/internal/release"
	"ladder/internal/runner"
)

var hostKinds = []string{gitops.ProviderGitHub, gitops.ProviderGitLab, gitops.ProviderGitea}

// hostCase is one release from dev to staging with the pull-request action, on a fake host of
// one kind that serves every repository of the test.
type hostCase struct {
	h            *deployHarness
	host         *fakeGitHost
	dev, staging *repo
}

func newHostCase(t *testing.T, kind string) *hostCase {
	t.Helper()
	c := &hostCase{h: newDeployHarness(t, runner.Deploy{MergeRecheck: 30 * time.Millisecond}), host: newFakeGitHost(t, kind),
		dev: newRepo(t, "dev", "2.0.0"), staging: newRepo(t, "staging", "1.0.0")}
	if _, err := c.h.providers.Create(context.Background(), provider.Input{Name: "host", Kind: kind,
		BaseURL: c.host.baseURL(), URLPrefix: "file://", Token: "tok"}); err != nil {
		t.Fatalf("create provider: %v", err)
	}
	return c
}

func (c *hostCase) start() release.Release {
	return c.h.startTo(c.dev, c.staging, release.ActionPullRequest, nil)
}

func (c *hostCase) repoPath() string { return gitops.RepoPath(c.staging.url()) }

// merge merges the pull request branch of release number n with git and pushes main.
func (c *hostCase) merge(t *testing.T, n int) {
	git(t, c.staging.work, "fetch", "-q", "origin")
	git(t, c.staging.work, "merge", "-q", "--no-ff", "-m", "Merge", "origin/"+gitops.PullRequestBranch("shop", n, "staging"))
	git(t, c.staging.work, "push", "-q", "origin", "HEAD:main")
}

// TestPullRequestExistingOpenFound: an open pull request of the branch (opened before a crash
// between opening and recording it) is linked instead of opening a second one, which the
// hosts refuse (GitHub 422, GitLab and Gitea 409; REST references of each).
func TestPullRequestExistingOpenFound(t *testing.T) {
	t.Parallel()
	for _, kind := range hostKinds {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			c := newHostCase(t, kind)
			c.host.openPull(c.repoPath(), "ladder/shop/1/staging", "main")
			rel := c.start()
			rel = c.h.blocker(rel.ID, release.BlockerMerge)
			pulls, _, _ := c.host.snapshot()
			if len(pulls) != 1 {
				t.Fatalf("got %d pull requests, want the one already open", len(pulls))
			}
			if got := stagingApp(rel).PullRequestURL; pullRequestNumberOf(got) != 1 {
				t.Errorf("got pull request %q linked, want #1", got)
			}
		})
	}
}

// TestPullRequestClosedReplacedOnRetry: a pull request closed without merging fails the
// environment; retrying the release opens a new pull request from the same branch, which then
// merges.
func TestPullRequestClosedReplacedOnRetry(t *testing.T) {
	t.Parallel()
	for _, kind := range hostKinds {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			c := newHostCase(t, kind)
			rel := c.start()
			c.h.blocker(rel.ID, release.BlockerMerge)
			c.host.setState(1, "closed")
			c.h.wait(rel.ID, "release failed", status(release.Failed))
			if err := c.h.runner.Retry(context.Background(), rel.ID, "tester"); err != nil {
				t.Fatal(err)
			}
			rel = c.h.wait(rel.ID, "a new pull request", func(r release.Release) bool {
				return pullRequestNumberOf(stagingApp(r).PullRequestURL) == 2
			})
			pulls, _, _ := c.host.snapshot()
			if len(pulls) != 2 || pulls[1].state != "open" || pulls[1].head != "ladder/shop/1/staging" {
				t.Fatalf("got pull requests %+v, want a second open one from ladder/shop/1/staging", pulls)
			}
			c.merge(t, 1)
			c.h.wait(rel.ID, "success after the merge", status(release.Succeeded))
		})
	}
}

// TestPullRequestClosedOnTerminate: terminating a release closes its open pull request with a
// comment linking the release and deletes the branch.
func TestPullRequestClosedOnTerminate(t *testing.T) {
	t.Parallel()
	for _, kind := range hostKinds {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			c := newHostCase(t, kind)
			rel := c.start()
			c.h.blocker(rel.ID, release.BlockerMerge)
			if err := c.h.runner.Terminate(context.Background(), rel.ID, "alice"); err != nil {
				t.Fatal(err)
			}
			c.h.wait(rel.ID, "terminated", status(release.Terminated))
			c.waitClosed(t, rel, 1)
		})
	}
}

// TestPullRequestClosedOnSupersede: a newer release superseding an older one (concurrency
// "terminate") closes the older release's pull request and deletes its branch.
func TestPullRequestClosedOnSupersede(t *testing.T) {
	t.Parallel()
	for _, kind := range hostKinds {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			c := newHostCase(t, kind)
			c.h.model.mode = "terminate"
			first := c.start()
			c.h.blocker(first.ID, release.BlockerMerge)
			second := c.start()
			c.h.wait(first.ID, "the first release terminated", status(release.Terminated))
			c.waitClosed(t, first, 1)
			c.h.blocker(second.ID, release.BlockerMerge)
		})
	}
}

// waitClosed waits until pull request number of rel is closed with a comment linking rel and
// its branch deleted.
func (c *hostCase) waitClosed(t *testing.T, rel release.Release, number int) {
	t.Helper()
	branch := gitops.PullRequestBranch("shop", int(rel.Number), "staging")
	deadline := time.Now().Add(10 * time.Second)
	for {
		pulls, deleted, _ := c.host.snapshot()
		p := pulls[number-1]
		if p.state == "closed" && len(p.comments) == 1 && slices.Contains(deleted, branch) {
			if !strings.Contains(p.comments[0], "/releases/"+rel.ID) {
				t.Errorf("got comment %q, want a link to the release", p.comments[0])
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("pull request %+v, deleted branches %v: want it closed with one comment and %s deleted", p, deleted, branch)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestPullRequestRateLimitWaitedOut: a rate-limited answer (GitHub 403 with
// x-ratelimit-remaining 0 and x-ratelimit-reset; GitLab 429 with Retry-After and
// RateLimit-Reset; Gitea 429 with Retry-After) holds the promotion as a blocker until the
// reset time; no request is sent before it, and the pull request opens after.
func TestPullRequestRateLimitWaitedOut(t *testing.T) {
	t.Parallel()
	for _, kind := range hostKinds {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			c := newHostCase(t, kind)
			c.host.queue(c.host.rateLimited(2 * time.Second))
			rel := c.start()
			c.h.blocker(rel.ID, "rate limited until")
			rel = c.h.blocker(rel.ID, release.BlockerMerge)
			if stagingApp(rel).PullRequestURL == "" {
				t.Errorf("no pull request linked after the rate limit")
			}
			if e, _ := rel.Environment("staging"); e.Status == release.Failed {
				t.Errorf("staging failed: %s", e.Error)
			}
			if hits, reset := c.host.hitTimes(); len(hits) < 2 || hits[1].Before(reset.Add(-time.Second)) {
				t.Errorf("got requests at %v, want none after the limited one before the reset at %v", hits, reset)
			}
		})
	}
}

// TestPullRequestHostErrorsBlock: 401 (a token refused) and 5xx answers wait as blockers with
// backoff instead of failing the release, and it goes on once the host answers.
func TestPullRequestHostErrorsBlock(t *testing.T) {
	t.Parallel()
	for _, kind := range hostKinds {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			c := newHostCase(t, kind)
			c.host.queue(answer(http.StatusUnauthorized, `{"message":"Bad credentials"}`),
				answer(http.StatusUnauthorized, `{"message":"Bad credentials"}`),
				answer(http.StatusBadGateway, `{"message":"502 Bad Gateway"}`))
			rel := c.start()
			c.h.blocker(rel.ID, "401 Unauthorized: Bad credentials")
			rel = c.h.blocker(rel.ID, release.BlockerMerge)
			if e, _ := rel.Environment("staging"); e.Status == release.Failed {
				t.Errorf("staging failed: %s", e.Error)
			}
		})
	}
}

// TestCommitStatusesThroughARelease: each environment posts a status linking the release page
// on the trigger commit, and on the pull request's commit, updated as the environment goes
// from running to success (GitHub/Gitea statuses with context, GitLab commit statuses with
// name).
func TestCommitStatusesThroughARelease(t *testing.T) {
	t.Parallel()
	for _, kind := range hostKinds {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			c := newHostCase(t, kind)
			rel := c.start()
			rel = c.h.blocker(rel.ID, release.BlockerMerge)
			prCommit := stagingApp(rel).CommitSHA
			c.merge(t, 1)
			rel = c.h.wait(rel.ID, "success after the merge", status(release.Succeeded))
			link := "/releases/" + rel.ID // the harness has no public URL
			success, running := "success", "pending"
			if kind == gitops.ProviderGitLab {
				running = "running"
			}
			want := []fakeStatus{
				{sha: rel.Trigger.SHA, state: success, context: "ladder/dev", url: link},
				{sha: rel.Trigger.SHA, state: running, context: "ladder/staging", url: link},
				{sha: prCommit, state: running, context: "ladder/staging", url: link},
				{sha: rel.Trigger.SHA, state: success, context: "ladder/staging", url: link},
				{sha: prCommit, state: success, context: "ladder/staging", url: link},
			}
			// the last statuses are posted just after the release's end is stored
			deadline := time.Now().Add(10 * time.Second)
			for {
				_, _, statuses := c.host.snapshot()
				missing := slices.DeleteFunc(slices.Clone(want), func(w fakeStatus) bool { return slices.Contains(statuses, w) })
				if len(missing) == 0 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("statuses %+v missing among %+v", missing, statuses)
				}
				time.Sleep(20 * time.Millisecond)
			}
		})
	}
}

// pullRequestNumberOf reads the number at the end of a pull request URL.
func pullRequestNumberOf(u string) int {
	i := strings.LastIndex(u, "/")
	n := 0
	for _, r := range u[i+1:] {
		n = n*10 + int(r-'0')
	}
	return n
}
