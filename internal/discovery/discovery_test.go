package discovery_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"ladder/db"
	"ladder/internal/application"
	"ladder/internal/argocd"
	"ladder/internal/argocd/fakeargocd"
	"ladder/internal/discovery"
	"ladder/internal/environment"
	"ladder/internal/fault"
	"ladder/internal/product"
	"ladder/internal/secret"
)

type world struct {
	disc *discovery.Service
	apps *application.Service
	argo *fakeargocd.Server
}

// newWorld opens a database with environments staging and prod, a product shop, and an Argo CD
// server "prod" (a fake) discovering applications labelled team=shop.
func newWorld(t *testing.T) *world {
	t.Helper()
	ctx := context.Background()
	conn, err := db.Open(ctx, filepath.Join(t.TempDir(), "ladder.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	check, now := fault.NewValidator(), time.Now
	envs := environment.NewService(conn, check, now)
	for _, n := range []string{"staging", "prod"} {
		if _, err := envs.Create(ctx, environment.Input{Name: n, Kind: environment.KindNonProduction}); err != nil {
			t.Fatal(err)
		}
	}
	products := product.NewService(conn, check, now)
	if _, err := products.Create(ctx, product.Input{Name: "shop", Concurrency: product.ConcurrencyQueue, QueueLimit: 5}); err != nil {
		t.Fatal(err)
	}
	box, err := secret.NewBox([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	w := &world{argo: fakeargocd.New(t, "argo-token"), apps: application.NewService(conn, check, now)}
	servers := argocd.NewService(conn, box, check, now)
	if _, err := servers.Create(ctx, argocd.Input{Name: "prod", URL: w.argo.URL, Token: "argo-token"}); err != nil {
		t.Fatal(err)
	}
	w.disc = discovery.NewService(conn, servers, w.apps, products, check, now)
	if _, err := w.disc.SaveSettings(ctx, "prod", discovery.Input{Enabled: true, Selector: "team=shop",
		ProductAnnotation: "ladder.dev/product", EnvironmentAnnotation: "ladder.dev/environment"}); err != nil {
		t.Fatal(err)
	}
	if err := w.disc.SaveRules(ctx, []discovery.Rule{{Environment: "prod", Cluster: "prod-eu", Namespace: "shop"}}); err != nil {
		t.Fatal(err)
	}
	w.putApps()
	return w
}

// putApps gives the fake Argo CD: a single-source application placed by annotation, a
// multi-source one (chart first) in another namespace placed by its destination, one of a
// product Ladder does not have, one outside the selector and one without annotation.
func (w *world) putApps() {
	app := func(ns, name, team string, annotations map[string]string) fakeargocd.Application {
		a := fakeargocd.Application{Metadata: fakeargocd.Metadata{Name: name, Namespace: ns, Annotations: annotations,
			Labels: map[string]string{"team": team}}}
		a.Spec.Source = &fakeargocd.Source{RepoURL: "https://git.example.com/shop/deploy.git", Path: "envs/" + name, TargetRevision: "main"}
		a.Spec.Destination = fakeargocd.Destination{Name: "staging-eu", Namespace: "shop"}
		return a
	}
	w.argo.Put(app("", "shop-staging", "shop", map[string]string{"ladder.dev/product": "shop", "ladder.dev/environment": "staging"}))
	prod := app("team-shop", "shop-prod", "shop", map[string]string{"ladder.dev/product": "shop"})
	prod.Spec.Source = nil
	prod.Spec.Sources = []fakeargocd.Source{
		{RepoURL: "https://charts.example.com", Chart: "shop", TargetRevision: "1.4.2"},
		{RepoURL: "https://git.example.com/shop/deploy.git", TargetRevision: "release", Ref: "values"},
		{RepoURL: "https://git.example.com/shop/deploy.git", TargetRevision: "release", Path: "envs/prod"},
	}
	prod.Spec.Destination = fakeargocd.Destination{Name: "prod-eu", Namespace: "shop"}
	w.argo.Put(prod)
	w.argo.Put(app("", "billing-staging", "shop", map[string]string{"ladder.dev/product": "billing", "ladder.dev/environment": "staging"}))
	w.argo.Put(app("", "other-staging", "other", map[string]string{"ladder.dev/product": "shop", "ladder.dev/environment": "staging"}))
	w.argo.Put(app("", "plain", "shop", nil))
}

// TestProposeAcceptRefresh lists the annotated applications as proposals, accepts them, then
// follows Argo CD: a changed path is taken over, a vanished application is marked missing.
// The list endpoint and its projects/appNamespace/selector filters follow argoproj/argo-cd
// server/application/application.go (List); the shapes types.go.
func TestProposeAcceptRefresh(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	props, err := w.disc.Proposals(ctx, "prod")
	if err != nil {
		t.Fatal(err)
	}
	want := []discovery.Proposal{
		{ArgoApp: "argocd/billing-staging", Name: "billing-staging", Product: "billing", ProductMissing: true, Environment: "staging",
			RepoURL: "https://git.example.com/shop/deploy.git", Branch: "main", Path: "envs/billing-staging"},
		{ArgoApp: "argocd/shop-staging", Name: "shop-staging", Product: "shop", Environment: "staging",
			RepoURL: "https://git.example.com/shop/deploy.git", Branch: "main", Path: "envs/shop-staging"},
		{ArgoApp: "team-shop/shop-prod", Name: "shop-prod", Product: "shop", Environment: "prod",
			RepoURL: "https://git.example.com/shop/deploy.git", Branch: "release", Path: "envs/prod"},
	}
	if len(props) != len(want) {
		t.Fatalf("got %d proposals %+v, want %d", len(props), props, len(want))
	}
	for i := range want {
		if props[i] != want[i] {
			t.Errorf("proposal %d: got %+v, want %+v", i, props[i], want[i])
		}
	}
	_, err = w.disc.Accept(ctx, "prod", []string{"argocd/billing-staging", "argocd/shop-staging"})
	if fe, ok := fault.Fields(err); !ok || fe["accept"] == "" {
		t.Fatalf("got %v accepting an application of a missing product, want a field error", err)
	}
	if list, _ := w.apps.List(ctx); len(list) != 0 {
		t.Fatalf("got %d applications after a refused accept, want none written", len(list))
	}
	if err := w.disc.CreateProduct(ctx, "billing"); err != nil {
		t.Fatal(err)
	}
	n, err := w.disc.Accept(ctx, "prod", []string{"argocd/billing-staging", "argocd/shop-staging", "team-shop/shop-prod"})
	if err != nil || n != 3 {
		t.Fatalf("accept: got %d, %v; want 3 created", n, err)
	}
	prod, err := w.apps.Get(ctx, "prod", "shop-prod")
	if err != nil {
		t.Fatal(err)
	}
	if prod.DiscoveredFrom != "prod" || prod.ArgocdServer != "prod" || prod.ArgocdApp != "team-shop/shop-prod" || prod.Branch != "release" {
		t.Errorf("got %+v, want discovered from prod, linked to team-shop/shop-prod on branch release", prod)
	}
	if props, _ := w.disc.Proposals(ctx, "prod"); props[1].Existing != "staging/shop-staging" || props[1].Acceptable() {
		t.Errorf("got %+v after accepting, want it marked as existing", props[1])
	}

	in := application.Input{Name: "shop-prod", Environment: "prod", Product: "shop", RepoURL: prod.RepoURL,
		Branch: "main", Path: prod.Path, ArgocdServer: "prod", ArgocdApp: "team-shop/shop-prod"}
	if _, err := w.apps.Update(ctx, "prod", "shop-prod", in); err == nil {
		t.Error("got a person's change to a discovered application's branch accepted, want it refused")
	} else if fe, ok := fault.Fields(err); !ok || fe["branch"] == "" {
		t.Errorf("got %v, want a field error on branch", err)
	}
	w.argo.Update("shop-staging", func(a *fakeargocd.Application) { a.Spec.Source.Path = "envs/staging/shop" })
	w.argo.Delete("team-shop/shop-prod")
	if err := w.disc.Refresh(ctx, "prod"); err != nil {
		t.Fatal(err)
	}
	if a, _ := w.apps.Get(ctx, "staging", "shop-staging"); a.Path != "envs/staging/shop" || a.MissingSince != nil {
		t.Errorf("got path %q, missing %v; want envs/staging/shop, not missing", a.Path, a.MissingSince)
	}
	prod, err = w.apps.Get(ctx, "prod", "shop-prod")
	if err != nil || prod.MissingSince == nil {
		t.Errorf("got %+v, %v; want shop-prod kept and marked missing", prod, err)
	}
}

// TestRefreshRecordsFailure: an Argo CD that refuses the token (401, code 16, as its session
// manager answers) leaves the applications as they were and records the error.
func TestRefreshRecordsFailure(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	if _, err := w.disc.Accept(ctx, "prod", []string{"argocd/shop-staging"}); err != nil {
		t.Fatal(err)
	}
	w.argo.Token = "rotated"
	err := w.disc.Refresh(ctx, "prod")
	var api *argocd.APIError
	if !errors.As(err, &api) || api.Status != 401 {
		t.Fatalf("got %v, want Argo CD's 401", err)
	}
	st, _ := w.disc.Settings(ctx, "prod")
	if st.PollError == "" || st.PolledAt == nil {
		t.Errorf("got settings %+v, want the poll error recorded", st)
	}
	if a, _ := w.apps.Get(ctx, "staging", "shop-staging"); a.MissingSince != nil {
		t.Error("got the application marked missing after a failed poll, want it untouched")
	}
}
