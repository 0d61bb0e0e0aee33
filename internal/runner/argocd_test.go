package runner_test

import (
	"strings"
	"testing"
	"time"

	"ladder/internal/argocd/fakeargocd"
	"ladder/internal/release"
	"ladder/internal/runner"
)

// argoCase is a release of shop to staging verified by a fake Argo CD whose application the
// case shapes.
type argoCase struct {
	h       *deployHarness
	argo    *fakeargocd.Server
	staging *repo
	rel     release.Release
	ours    string // the promotion commit
	ref     string // the application as Ladder names it
}

// startArgoCase starts the release once Argo CD holds the application shaped by shape (from
// the single-source shop-staging of newFakeArgoCD), linked as ref, and waits for the
// promotion commit.
func startArgoCase(t *testing.T, d runner.Deploy, syncAfter bool, ref string, shape func(*fakeargocd.Application, *repo)) *argoCase {
	t.Helper()
	if d.VerifyRecheck == 0 {
		d.VerifyRecheck = 20 * time.Millisecond
	}
	c := &argoCase{h: newDeployHarness(t, d), ref: ref}
	dev := newRepo(t, "dev", "2.0.0")
	c.staging = newRepo(t, "staging", "1.0.0")
	c.argo = newFakeArgoCD(t, c.staging)
	if shape != nil {
		c.argo.Update("shop-staging", func(a *fakeargocd.Application) { shape(a, c.staging) })
	}
	addArgoCD(t, c.h, c.argo.URL, syncAfter)
	c.rel = c.h.startTo(dev, c.staging, release.ActionCommit, func(x *release.Target) { x.ArgocdServer, x.ArgocdApp = "prod-cluster", ref })
	c.rel = c.h.wait(c.rel.ID, "promotion commit", func(r release.Release) bool { return stagingApp(r).CommitSHA != "" })
	c.ours = stagingApp(c.rel).CommitSHA
	return c
}

// update changes the application as Argo CD's controller would.
func (c *argoCase) update(change func(a *fakeargocd.Application)) {
	c.argo.Update(c.appKey(), change)
}

func (c *argoCase) appKey() string {
	if strings.Contains(c.ref, "/") {
		return c.ref
	}
	return fakeargocd.Namespace + "/" + c.ref
}

// polls waits until Ladder has read the application n more times.
func (c *argoCase) polls(t *testing.T, n int) {
	t.Helper()
	want := c.argo.Gets(c.appKey()) + n
	deadline := time.Now().Add(20 * time.Second)
	for c.argo.Gets(c.appKey()) < want {
		if time.Now().After(deadline) {
			t.Fatalf("got %d reads of %s, want %d", c.argo.Gets(c.appKey()), c.ref, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (c *argoCase) succeeded(t *testing.T) release.Release {
	t.Helper()
	return c.h.wait(c.rel.ID, "success", status(release.Succeeded))
}

// deployed makes Argo CD report revisions synced by a finished sync and everything Healthy.
func deployed(revisions ...string) func(*fakeargocd.Application) {
	return func(a *fakeargocd.Application) {
		a.Compared("Synced", revisions...)
		a.Operation("Succeeded", "successfully synced (all tasks run)", revisions...)
		a.Healthy()
	}
}

// TestArgoCDMultiSourceChartFirst: with spec.sources holding a Helm chart first and the Git
// values second, status.sync.revisions follows spec.sources order and status.sync.revision is
// empty (controller/state.go CompareAppState; pkg/apis/application/v1alpha1/types.go
// SyncStatus). The revision to compare is the Git source's, not revisions[0].
func TestArgoCDMultiSourceChartFirst(t *testing.T) {
	t.Parallel()
	c := startArgoCase(t, runner.Deploy{}, false, "shop-staging", func(a *fakeargocd.Application, staging *repo) {
		a.Spec.Source = nil
		a.Spec.Sources = []fakeargocd.Source{
			{RepoURL: "https://charts.example.com/stable", Chart: "shop", TargetRevision: "1.4.2"},
			{RepoURL: staging.url(), TargetRevision: "main", Ref: "values"},
		}
		a.Compared("OutOfSync", "1.4.2", "0000000000000000000000000000000000000000")
	})
	c.update(deployed("1.4.2", c.ours))
	rel := c.succeeded(t)
	if got := stagingApp(rel).Result; !strings.Contains(got, "Synced to "+c.ours[:7]) {
		t.Errorf("got result %q, want it synced to %s", got, c.ours[:7])
	}
}

// TestArgoCDHydrator: with a source hydrator, status.sync.revision is the hydrated commit and
// the commit Ladder wrote is the dry one, status.sourceHydrator.lastSuccessfulOperation.drySHA
// (pkg/apis/application/v1alpha1/types.go SourceHydratorStatus, SuccessfulHydrateOperation).
func TestArgoCDHydrator(t *testing.T) {
	t.Parallel()
	const hydrated = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
	c := startArgoCase(t, runner.Deploy{}, false, "shop-staging", func(a *fakeargocd.Application, staging *repo) {
		a.Spec.Source = nil
		a.Spec.SourceHydrator = &fakeargocd.SourceHydrator{DrySource: fakeargocd.Source{RepoURL: staging.url(), Path: ".", TargetRevision: "main"}}
		a.Spec.SourceHydrator.SyncSource.TargetBranch, a.Spec.SourceHydrator.SyncSource.Path = "environments/staging", "shop"
	})
	c.h.blocker(c.rel.ID, "waiting for Argo CD to sync")
	c.update(func(a *fakeargocd.Application) {
		a.Hydrated(c.ours, hydrated)
		deployed(hydrated)(a)
	})
	c.succeeded(t)
}

// TestArgoCDAppNamespace: an application outside Argo CD's own namespace is read with
// ?appNamespace= (server/application/application.go appNamespaceOrDefault); the name is one
// path segment, never namespace%2Fname, which grpc-gateway does not route. A bare name there is
// answered "permission denied" (getAppEnforceRBAC), and the blocker says what that may mean.
func TestArgoCDAppNamespace(t *testing.T) {
	t.Parallel()
	t.Run("namespace/name", func(t *testing.T) {
		c := startArgoCase(t, runner.Deploy{}, false, "team-shop/shop-staging", nil)
		moved := *appOf(c.argo, "shop-staging")
		c.argo.Delete("shop-staging")
		moved.Metadata.Namespace = "team-shop"
		c.argo.Put(moved)
		c.h.blocker(c.rel.ID, "waiting for Argo CD to sync team-shop/shop-staging")
		c.update(deployed(c.ours))
		c.succeeded(t)
	})
	t.Run("bare name in another namespace", func(t *testing.T) {
		c := startArgoCase(t, runner.Deploy{}, false, "shop-staging", nil)
		moved := *appOf(c.argo, "shop-staging")
		c.argo.Delete("shop-staging")
		moved.Metadata.Namespace = "team-shop"
		c.argo.Put(moved)
		c.h.blocker(c.rel.ID, "403 Forbidden permission denied (the token may not read shop-staging, or it does not exist in Argo CD's namespace: for an application in another namespace write namespace/name)")
	})
}

// appOf returns a copy of the fake's application ref.
func appOf(f *fakeargocd.Server, ref string) *fakeargocd.Application {
	var out fakeargocd.Application
	f.Update(ref, func(a *fakeargocd.Application) { out = *a })
	return &out
}

// TestArgoCDSyncRunningLaterWave: while a sync operation runs (later sync waves, PostSync hooks)
// the application may already read Synced and Healthy; the operation phase is Running until
// they finish (pkg/apis/application/v1alpha1/types.go OperationState, SyncOperationResult).
func TestArgoCDSyncRunningLaterWave(t *testing.T) {
	t.Parallel()
	c := startArgoCase(t, runner.Deploy{}, false, "shop-staging", nil)
	c.update(func(a *fakeargocd.Application) {
		deployed(c.ours)(a)
		a.Operation("Running", "waiting for completion of hook batch/Job:shop/smoke-test", c.ours)
	})
	c.h.blocker(c.rel.ID, "waiting for Argo CD to finish syncing shop-staging")
	c.polls(t, 3)
	if rel, _ := c.h.releases.Get(t.Context(), c.rel.ID); rel.Status == release.Succeeded {
		t.Fatal("got a succeeded release while Argo CD's sync still runs, want it waiting")
	}
	c.update(deployed(c.ours))
	c.succeeded(t)
}

// TestArgoCDPausedRollout: a paused Argo Rollouts canary is health Suspended with the rollout's
// message (resource_customizations/argoproj.io/Rollout/health.lua maps phase Paused to
// Suspended); verification waits past the grace period, naming the rollout, and goes on once
// it is resumed and Healthy.
func TestArgoCDPausedRollout(t *testing.T) {
	t.Parallel()
	c := startArgoCase(t, runner.Deploy{Grace: 50 * time.Millisecond}, false, "shop-staging", func(a *fakeargocd.Application, _ *repo) {
		a.Status.Resources = []fakeargocd.Resource{{Group: "argoproj.io", Version: "v1alpha1", Kind: "Rollout", Namespace: "shop", Name: "web"}}
	})
	c.update(func(a *fakeargocd.Application) {
		deployed(c.ours)(a)
		a.ResourceHealth("Rollout", "web", "Suspended", "CanaryPauseStep")
	})
	c.h.blocker(c.rel.ID, "waiting for shop-staging to resume (Argo CD: Synced, Suspended; Rollout shop/web: Suspended (CanaryPauseStep))")
	time.Sleep(200 * time.Millisecond) // past the grace period
	c.polls(t, 2)
	if rel, _ := c.h.releases.Get(t.Context(), c.rel.ID); rel.Status != release.Running {
		t.Fatalf("got release %s (%s) with the rollout paused, want it running", rel.Status, rel.Error)
	}
	c.update(func(a *fakeargocd.Application) { a.ResourceHealth("Rollout", "web", "Healthy", "") })
	c.succeeded(t)
}

// TestArgoCDDegraded: a Degraded application's own message is only "Caused by
// apps/Deployment:shop/web" (controller/health.go formatHealthCauses); the failure quotes the
// resource's health message from status.resources.
func TestArgoCDDegraded(t *testing.T) {
	t.Parallel()
	c := startArgoCase(t, runner.Deploy{Grace: 50 * time.Millisecond}, false, "shop-staging", nil)
	c.update(func(a *fakeargocd.Application) {
		deployed(c.ours)(a)
		a.ResourceHealth("Deployment", "web", "Degraded", `Deployment "web" exceeded its progress deadline`)
	})
	c.h.wait(c.rel.ID, "failure", envFailed(`Deployment shop/web: Degraded (Deployment "web" exceeded its progress deadline)`))
}

// TestArgoCDFailedSync: once Argo CD's retries are spent, a sync ends Failed with "(retried n
// times)"; while it retries it stays Running with "Retrying attempt #n"
// (controller/appcontroller.go processRequestedAppOperation). A failed sync of the promotion
// fails verification at once with Argo CD's message, without asking for another sync.
func TestArgoCDFailedSync(t *testing.T) {
	t.Parallel()
	c := startArgoCase(t, runner.Deploy{}, true, "shop-staging", nil)
	c.update(func(a *fakeargocd.Application) {
		a.Compared("OutOfSync", c.ours)
		a.Operation("Running", `one or more objects failed to apply, reason: Deployment.apps "web" is invalid. Retrying attempt #1 at 3:04PM.`, c.ours)
	})
	c.h.blocker(c.rel.ID, "Retrying attempt #1")
	c.update(func(a *fakeargocd.Application) {
		a.Operation("Failed", `one or more objects failed to apply, reason: Deployment.apps "web" is invalid (retried 2 times).`, c.ours)
	})
	c.h.wait(c.rel.ID, "failure", envFailed(`Argo CD could not sync shop-staging to `+c.ours[:7]+` (Argo CD: OutOfSync, Healthy; sync failed: one or more objects failed to apply, reason: Deployment.apps "web" is invalid (retried 2 times).)`))
	if n := c.argo.Syncs("shop-staging"); n > 1 {
		t.Errorf("got %d sync requests, want at most 1 (the one after the promotion)", n)
	}
}

// TestArgoCDAsksOnce: GET ?refresh=normal makes Argo CD reconcile and waits for it
// (server/application/application.go Get), and a new sync request resets the retry count of
// one Argo CD retries: one refresh after the commit and one sync request, then plain reads.
func TestArgoCDAsksOnce(t *testing.T) {
	t.Parallel()
	c := startArgoCase(t, runner.Deploy{}, true, "shop-staging", nil)
	c.h.blocker(c.rel.ID, "waiting for Argo CD to sync")
	c.polls(t, 2)
	// The sync started without a revision fails before it has a result: not known to be ours.
	c.update(func(a *fakeargocd.Application) {
		a.Status.OperationState.Phase = "Failed"
		a.Status.OperationState.Message = "ComparisonError: rpc error: code = Unknown desc = repository not accessible (retried 5 times)."
	})
	c.polls(t, 5)
	if n := c.argo.Refreshes("shop-staging"); n != 1 {
		t.Errorf("got %d refreshes, want 1", n)
	}
	if n := c.argo.Syncs("shop-staging"); n != 1 {
		t.Errorf("got %d sync requests, want 1", n)
	}
}

// TestArgoCDConditions: status.conditions carries ComparisonError and SyncError
// (pkg/apis/application/v1alpha1/types.go ApplicationCondition); the blocker shows them and
// verification fails on them once the grace period has passed.
func TestArgoCDConditions(t *testing.T) {
	t.Parallel()
	c := startArgoCase(t, runner.Deploy{Grace: 300 * time.Millisecond}, false, "shop-staging", nil)
	c.update(func(a *fakeargocd.Application) {
		a.Status.Sync.Status = "Unknown"
		a.Status.Conditions = []fakeargocd.Condition{{Type: "ComparisonError", Message: "Failed to load target state: failed to generate manifest for source 1 of 1: rpc error: code = Unknown desc = authentication required"}}
	})
	c.h.blocker(c.rel.ID, "ComparisonError: Failed to load target state")
	c.h.wait(c.rel.ID, "failure", envFailed("shop-staging reports ComparisonError 300ms after the promotion"))
}
