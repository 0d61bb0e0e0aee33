package runner_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"ladder/internal/argocd"
	"ladder/internal/argocd/fakeargocd"
	"ladder/internal/release"
	"ladder/internal/runner"
)

// newFakeArgoCD starts a fake Argo CD holding one application, shop-staging, deploying the
// staging repository (a single Git source), OutOfSync and Healthy.
func newFakeArgoCD(t *testing.T, staging *repo) *fakeargocd.Server {
	f := fakeargocd.New(t, "argo-token")
	app := fakeargocd.Application{Metadata: fakeargocd.Metadata{Name: "shop-staging"}}
	app.Spec.Source = &fakeargocd.Source{RepoURL: staging.url(), Path: ".", TargetRevision: "main"}
	app.Spec.Destination = fakeargocd.Destination{Server: "https://kubernetes.default.svc", Namespace: "shop"}
	app.Status.Resources = []fakeargocd.Resource{{Group: "apps", Version: "v1", Kind: "Deployment", Namespace: "shop", Name: "web"}}
	app.Compared("OutOfSync")
	app.Healthy()
	f.Put(app)
	return f
}

// set makes Argo CD report the sync status at revision, the application health, and a
// finished sync of revision.
func set(f *fakeargocd.Server, sync, revision, health string) {
	f.Update("shop-staging", func(a *fakeargocd.Application) {
		a.Compared(sync, revision)
		a.ResourceHealth("Deployment", "web", health, "")
		a.Operation("Succeeded", "successfully synced (all tasks run)", revision)
	})
}

func addArgoCD(t *testing.T, h *deployHarness, url string, syncAfter bool) {
	t.Helper()
	_, err := h.argo.Create(context.Background(), argocd.Input{Name: "prod-cluster", URL: url, Token: "argo-token", SyncAfterPromotion: syncAfter})
	if err != nil {
		t.Fatalf("create argo cd server: %v", err)
	}
}

func linkArgoCD(t *release.Target) { t.ArgocdServer, t.ArgocdApp = "prod-cluster", "shop-staging" }

// TestArgoCDVerify walks Argo CD through the states a deployment goes through and checks the
// blocker quotes each, then that the release succeeds once the app is Synced to the promotion
// and Healthy; a verification that times out fails with Argo CD's state.
func TestArgoCDVerify(t *testing.T) {
	t.Run("out of sync, older revision, progressing, healthy", func(t *testing.T) {
		h := newDeployHarness(t, runner.Deploy{VerifyRecheck: 20 * time.Millisecond})
		dev, staging := newRepo(t, "dev", "2.0.0"), newRepo(t, "staging", "1.0.0")
		argo := newFakeArgoCD(t, staging)
		addArgoCD(t, h, argo.URL, true)
		older := git(t, staging.bare, "rev-parse", "main")
		set(argo, "OutOfSync", older, "Healthy")
		rel := h.startTo(dev, staging, release.ActionCommit, linkArgoCD)

		rel = h.blocker(rel.ID, "Argo CD: OutOfSync, Healthy")
		ours := stagingApp(rel).CommitSHA
		if ours == "" {
			t.Fatal("no promotion commit recorded before verification")
		}
		e, _ := rel.Environment("staging")
		// The sync Ladder asked for may still be running when the blocker is read.
		want := "waiting for Argo CD to sync shop-staging to " + ours[:7] + " (Argo CD: OutOfSync, Healthy"
		if e.Blocker != want+")" && e.Blocker != want+"; sync running)" {
			t.Errorf("got blocker %q, want %q, with or without \"; sync running\"", e.Blocker, want+")")
		}
		set(argo, "Synced", older, "Healthy")
		h.blocker(rel.ID, "(Argo CD: Synced, Healthy, at "+older[:7]+")")
		set(argo, "Synced", ours, "Progressing")
		h.blocker(rel.ID, "waiting for shop-staging to become Healthy (Argo CD: Synced, Progressing; Deployment shop/web: Progressing)")
		set(argo, "Synced", ours, "Healthy")
		rel = h.wait(rel.ID, "success", status(release.Succeeded))
		if got := stagingApp(rel).Result; !strings.Contains(got, "Argo CD: shop-staging Synced to "+ours[:7]+" and Healthy") {
			t.Errorf("got result %q, want it to say Synced and Healthy", got)
		}
		if syncs := argo.Syncs("shop-staging"); syncs == 0 {
			t.Error("got no sync request, want one (the server syncs after promotions)")
		}
	})
	t.Run("a later revision counts", func(t *testing.T) {
		h := newDeployHarness(t, runner.Deploy{VerifyRecheck: 20 * time.Millisecond})
		dev, staging := newRepo(t, "dev", "2.0.0"), newRepo(t, "staging", "1.0.0")
		argo := newFakeArgoCD(t, staging)
		addArgoCD(t, h, argo.URL, false)
		rel := h.startTo(dev, staging, release.ActionCommit, linkArgoCD)
		rel = h.blocker(rel.ID, "Argo CD: OutOfSync")
		git(t, staging.work, "pull", "-q", "origin", "main")
		later := staging.commit("scale up", staging.show("Chart.yaml")+"\n", strings.Replace(staging.show("values.yaml"), "replicas: 1", "replicas: 2", 1)+"\n")
		set(argo, "Synced", later, "Healthy")
		h.wait(rel.ID, "success", status(release.Succeeded))
	})
	t.Run("timeout", func(t *testing.T) {
		h := newDeployHarness(t, runner.Deploy{VerifyRecheck: 20 * time.Millisecond, VerifyTimeout: 300 * time.Millisecond})
		dev, staging := newRepo(t, "dev", "2.0.0"), newRepo(t, "staging", "1.0.0")
		argo := newFakeArgoCD(t, staging)
		addArgoCD(t, h, argo.URL, false)
		set(argo, "OutOfSync", "", "Progressing")
		rel := h.startTo(dev, staging, release.ActionCommit, linkArgoCD)
		rel = h.wait(rel.ID, "failure", envFailed("not verified within 300ms"))
		e, _ := rel.Environment("staging")
		if !strings.Contains(e.Error, "(Argo CD: OutOfSync, Progressing") {
			t.Errorf("got error %q, want Argo CD's state in it", e.Error)
		}
	})
}

// TestHealthURLVerify waits for a health URL that answers 503 before it answers 200, showing
// the last answer in the blocker.
func TestHealthURLVerify(t *testing.T) {
	var calls atomic.Int32
	var healthy atomic.Bool
	fakeHealth := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if !healthy.Load() {
			http.Error(w, "starting", http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte("ok"))
	}))
	t.Cleanup(fakeHealth.Close)
	h := newDeployHarness(t, runner.Deploy{VerifyRecheck: 20 * time.Millisecond})
	dev, staging := newRepo(t, "dev", "2.0.0"), newRepo(t, "staging", "1.0.0")
	rel := h.startTo(dev, staging, release.ActionCommit, func(t *release.Target) { t.HealthURL = fakeHealth.URL + "/healthz" })
	rel = h.blocker(rel.ID, "503")
	e, _ := rel.Environment("staging")
	if want := "waiting for " + fakeHealth.URL + "/healthz to answer 2xx (last: 503 Service Unavailable)"; e.Blocker != want {
		t.Errorf("got blocker %q, want %q", e.Blocker, want)
	}
	healthy.Store(true)
	rel = h.wait(rel.ID, "success", status(release.Succeeded))
	if got := stagingApp(rel).Result; !strings.Contains(got, "answered 2xx") {
		t.Errorf("got result %q, want it to say the health URL answered 2xx", got)
	}
	if calls.Load() < 2 {
		t.Errorf("got %d health checks, want at least 2", calls.Load())
	}
}
