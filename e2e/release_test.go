package e2e

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mxschmitt/playwright-go"

	"ladder/db"
	"ladder/internal/application"
	"ladder/internal/environment"
	"ladder/internal/fault"
	"ladder/internal/policy"
	"ladder/internal/product"
)

// seedModel builds dev → prod for product shop straight through the services, on the server's
// own database file (the model builder journey covers doing this in the browser).
func seedModel(t *testing.T, srv *server, dev, prod *gitRepo) *environment.Service {
	t.Helper()
	conn, envs := seedProduct(t, srv)
	apps := application.NewService(conn, fault.NewValidator(), time.Now)
	for env, repo := range map[string]*gitRepo{"dev": dev, "prod": prod} {
		_, err := apps.Create(context.Background(), application.Input{Name: "shop-" + env, Environment: env, Product: "shop", RepoURL: repo.url(), Branch: "main", Path: "."})
		must(t, err, "create application in "+env)
	}
	return envs
}

// seedProduct builds environments dev and prod, product shop and a policy that commits, without
// applications, on the server's own database file.
func seedProduct(t *testing.T, srv *server) (*sql.DB, *environment.Service) {
	t.Helper()
	ctx := context.Background()
	conn, err := db.Open(ctx, filepath.Join(srv.DataDir, "ladder.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	check := fault.NewValidator()
	envs := environment.NewService(conn, check, time.Now)
	for _, e := range []environment.Input{{Name: "dev", Kind: "non-production"}, {Name: "prod", Kind: "production"}} {
		_, err := envs.Create(ctx, e)
		must(t, err, "create environment "+e.Name)
	}
	_, err = product.NewService(conn, check, time.Now).Create(ctx, product.Input{Name: "shop", Concurrency: "queue", QueueLimit: 50,
		Template: product.Template{VersionSource: product.VersionSource{File: "Chart.yaml", JSONPath: "$.appVersion"},
			Promotion: []product.Entry{{File: "Chart.yaml", JSONPaths: []string{"$.appVersion"}}, {File: "values.yaml", JSONPaths: []string{"$.image.tag"}}}}})
	must(t, err, "create product")
	_, err = policy.NewService(conn, check, time.Now).Create(ctx, policy.Input{Name: "commit-everywhere", Settings: policy.Settings{Action: "commit"}})
	must(t, err, "create policy")
	return conn, envs
}

// TestPromoteJourney: a promoter promotes shop from dev to prod from the dashboard. prod is frozen,
// so the release page first shows the freeze as the blocker; the test lifts the freeze behind
// the browser's back and the page must move to SUCCEEDED with no reload and no polling — every
// update arriving over its event stream. The new version is then committed in prod's repository.
func TestPromoteJourney(t *testing.T) {
	srv := startServer(t)
	dev, prod := newGitRepo(t, "shop-dev", "2.4.0"), newGitRepo(t, "shop-prod", "2.3.1")
	envs := seedModel(t, srv, dev, prod)
	_, err := envs.Freeze(context.Background(), "prod", environment.FreezeInput{Reason: "change window closed"})
	must(t, err, "freeze prod")
	page := newPage(t, srv)
	signInAsAdmin(t, page)

	var mu sync.Mutex
	var requests []playwright.Request
	page.OnRequest(func(r playwright.Request) {
		mu.Lock()
		defer mu.Unlock()
		requests = append(requests, r)
	})
	_, err = page.Goto("/")
	must(t, err, "open the dashboard")
	must(t, dashPromote(page, "prod", "shop").Click(), "open the promote dialog")
	must(t, expect.Locator(page.GetByTestId("promote-dialog").GetByTestId("diff-shop-prod")).ToBeVisible(), "the diff preview is shown")
	must(t, page.GetByTestId("confirm-promote").Click(), "promote")
	must(t, page.WaitForURL("**/releases/*"), "arrive on the release page")
	releaseURL := page.URL()
	must(t, expect.Locator(page.GetByTestId("blocker-prod")).ToContainText("environment frozen: change window closed"), "the freeze is the blocker")
	_, err = page.Evaluate("window.__sameDocument = true")
	must(t, err, "mark the document")

	_, err = envs.Unfreeze(context.Background(), "prod")
	must(t, err, "unfreeze prod")
	must(t, expect.Locator(page.GetByTestId("release-status")).ToContainText("succeeded", playwright.LocatorAssertionsToContainTextOptions{Timeout: playwright.Float(30_000)}), "release succeeded")
	must(t, expect.Locator(page.GetByTestId("release-env-prod")).ToContainText("succeeded"), "prod succeeded")
	commit, err := page.GetByTestId("commit-shop-prod").GetAttribute("title")
	must(t, err, "read the commit")
	same, err := page.Evaluate("window.__sameDocument === true")
	must(t, err, "read the mark")
	if same != true {
		t.Errorf("the release page reloaded; want live updates in place")
	}
	checkOnlyEventStream(t, &mu, &requests, releaseURL)

	if got := prod.show("values.yaml"); !strings.Contains(got, `tag: "2.4.0" # set by CI`) || !strings.Contains(got, "replicas: 2") {
		t.Errorf("prod values.yaml: got %q, want tag 2.4.0 with everything else kept", got)
	}
	if head := runGit(t, prod.bare, "rev-parse", "main"); head != commit {
		t.Errorf("prod head is %s, want the release's commit %s", head, commit)
	}
}

// checkOnlyEventStream fails t unless, once the release page at pageURL was loaded, the page
// made no request but its event stream and the one read of "What changed" (no reload, no
// polling), and made the stream's.
func checkOnlyEventStream(t *testing.T, mu *sync.Mutex, requests *[]playwright.Request, pageURL string) {
	t.Helper()
	mu.Lock()
	defer mu.Unlock()
	loaded, streams := -1, 0
	for i, r := range *requests {
		if r.ResourceType() == "document" && r.URL() == pageURL {
			loaded = i
		}
	}
	if loaded < 0 {
		t.Fatalf("no document request for %s was seen", pageURL)
	}
	for _, r := range (*requests)[loaded+1:] {
		switch {
		case r.ResourceType() == "eventsource" && strings.HasSuffix(r.URL(), "/events"):
			streams++
		case r.Method() == "GET" && strings.HasSuffix(r.URL(), "/changes"):
			// "What changed" is read once after the page, since it reads Git.
		case r.ResourceType() == "xhr" || r.ResourceType() == "fetch" || r.ResourceType() == "document":
			t.Errorf("got %s request %s %s after the release page loaded, want only the event stream", r.ResourceType(), r.Method(), r.URL())
		}
	}
	if streams == 0 {
		t.Errorf("got no event-stream request from the release page, want the updates to arrive over one")
	}
}
