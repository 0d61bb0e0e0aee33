package runner_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"ladder/internal/argocd"
	"ladder/internal/release"
	"ladder/internal/runner"
)

// fakeArgoCD serves Argo CD's application API with the JSON shape Argo CD returns, reporting
// whatever sync and health the test sets.
type fakeArgoCD struct {
	*httptest.Server
	mu                     sync.Mutex
	sync, revision, health string
	syncs                  int
}

func newFakeArgoCD(t *testing.T) *fakeArgoCD {
	f := &fakeArgoCD{sync: "OutOfSync", health: "Healthy"}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/applications/{name}", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer argo-token" {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"error":"invalid session","code":16,"message":"invalid session"}`))
			return
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		app := map[string]any{
			"metadata": map[string]any{"name": r.PathValue("name"), "namespace": "argocd"},
			"spec": map[string]any{"project": "default", "source": map[string]any{
				"repoURL": "https://git.example/shop-staging.git", "path": ".", "targetRevision": "main"}},
			"status": map[string]any{
				"sync": map[string]any{"status": f.sync, "revision": f.revision,
					"comparedTo": map[string]any{"source": map[string]any{"repoURL": "https://git.example/shop-staging.git"}}},
				"health":         map[string]any{"status": f.health},
				"operationState": map[string]any{"phase": "Succeeded", "message": "successfully synced (all tasks run)"},
				"reconciledAt":   "2025-01-01T00:00:00Z",
			},
		}
		_ = json.NewEncoder(w).Encode(app)
	})
	mux.HandleFunc("POST /api/v1/applications/{name}/sync", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.syncs++
		f.mu.Unlock()
		_, _ = w.Write([]byte(`{"metadata":{"name":"shop-staging"}}`))
	})
	f.Server = httptest.NewServer(mux)
	t.Cleanup(f.Close)
	return f
}

func (f *fakeArgoCD) set(sync, revision, health string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sync, f.revision, f.health = sync, revision, health
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
		argo := newFakeArgoCD(t)
		h := newDeployHarness(t, runner.Deploy{VerifyRecheck: 20 * time.Millisecond})
		addArgoCD(t, h, argo.URL, true)
		dev, staging := newRepo(t, "dev", "2.0.0"), newRepo(t, "staging", "1.0.0")
		older := git(t, staging.bare, "rev-parse", "main")
		argo.set("OutOfSync", older, "Healthy")
		rel := h.startTo(dev, staging, release.ActionCommit, linkArgoCD)

		rel = h.blocker(rel.ID, "Argo CD: OutOfSync, Healthy")
		ours := stagingApp(rel).CommitSHA
		if ours == "" {
			t.Fatal("no promotion commit recorded before verification")
		}
		e, _ := rel.Environment("staging")
		if want := "waiting for Argo CD to sync shop-staging to " + ours[:7] + " (Argo CD: OutOfSync, Healthy)"; e.Blocker != want {
			t.Errorf("got blocker %q, want %q", e.Blocker, want)
		}
		argo.set("Synced", older, "Healthy")
		h.blocker(rel.ID, "(Argo CD: Synced, Healthy, at "+older[:7]+")")
		argo.set("Synced", ours, "Progressing")
		h.blocker(rel.ID, "waiting for shop-staging to become Healthy (Argo CD: Synced, Progressing)")
		argo.set("Synced", ours, "Healthy")
		rel = h.wait(rel.ID, "success", status(release.Succeeded))
		if got := stagingApp(rel).Result; !strings.Contains(got, "Argo CD: shop-staging Synced to "+ours[:7]+" and Healthy") {
			t.Errorf("got result %q, want it to say Synced and Healthy", got)
		}
		argo.mu.Lock()
		syncs := argo.syncs
		argo.mu.Unlock()
		if syncs == 0 {
			t.Error("got no sync request, want one (the server syncs after promotions)")
		}
	})
	t.Run("a later revision counts", func(t *testing.T) {
		argo := newFakeArgoCD(t)
		h := newDeployHarness(t, runner.Deploy{VerifyRecheck: 20 * time.Millisecond})
		addArgoCD(t, h, argo.URL, false)
		dev, staging := newRepo(t, "dev", "2.0.0"), newRepo(t, "staging", "1.0.0")
		rel := h.startTo(dev, staging, release.ActionCommit, linkArgoCD)
		rel = h.blocker(rel.ID, "Argo CD: OutOfSync")
		git(t, staging.work, "pull", "-q", "origin", "main")
		later := staging.commit("scale up", staging.show("Chart.yaml")+"\n", strings.Replace(staging.show("values.yaml"), "replicas: 1", "replicas: 2", 1)+"\n")
		argo.set("Synced", later, "Healthy")
		h.wait(rel.ID, "success", status(release.Succeeded))
	})
	t.Run("timeout", func(t *testing.T) {
		argo := newFakeArgoCD(t)
		h := newDeployHarness(t, runner.Deploy{VerifyRecheck: 20 * time.Millisecond, VerifyTimeout: 300 * time.Millisecond})
		addArgoCD(t, h, argo.URL, false)
		dev, staging := newRepo(t, "dev", "2.0.0"), newRepo(t, "staging", "1.0.0")
		argo.set("OutOfSync", "", "Progressing")
		rel := h.startTo(dev, staging, release.ActionCommit, linkArgoCD)
		rel = h.wait(rel.ID, "failure", envFailed("not verified within 300ms"))
		e, _ := rel.Environment("staging")
		if !strings.Contains(e.Error, "(Argo CD: OutOfSync, Progressing)") {
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
