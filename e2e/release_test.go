package e2e

import (
	"context"
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
func seedModel(t *testing.T, srv *server, dev, prod *gitRepo) {
	t.Helper()
	ctx := context.Background()
	conn, err := db.Open(ctx, filepath.Join(srv.DataDir, "ladder.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
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
	apps := application.NewService(conn, check, time.Now)
	for env, repo := range map[string]*gitRepo{"dev": dev, "prod": prod} {
		_, err := apps.Create(ctx, application.Input{Name: "shop-" + env, Environment: env, Product: "shop", RepoURL: repo.url(), Branch: "main", Path: "."})
		must(t, err, "create application in "+env)
	}
	_, err = policy.NewService(conn, check, time.Now).Create(ctx, policy.Input{Name: "commit-everywhere", Settings: policy.Settings{Action: "commit"}})
	must(t, err, "create policy")
}

// TestPromoteJourney: a promoter promotes shop from dev to prod in the browser and watches the
// release page reach SUCCEEDED with no reload and no polling: every update arrives over the
// page's event stream. The new version is then committed in prod's repository.
func TestPromoteJourney(t *testing.T) {
	srv := startServer(t)
	dev, prod := newGitRepo(t, "shop-dev", "2.4.0"), newGitRepo(t, "shop-prod", "2.3.1")
	seedModel(t, srv, dev, prod)
	page := newPage(t, srv)
	signInAsAdmin(t, page)

	_, err := page.Goto("/releases")
	must(t, err, "open releases")
	must(t, expect.Locator(page.GetByTestId("releases-empty")).ToBeVisible(), "empty state")
	must(t, page.GetByTestId("start-release").Locator("summary").Click(), "open the start form")
	form := page.GetByTestId("promote-form")
	_, err = form.GetByLabel("Product").SelectOption(selectValue("shop"))
	must(t, err, "choose product")
	_, err = form.GetByLabel("From").SelectOption(selectValue("dev"))
	must(t, err, "choose source")
	_, err = form.GetByLabel("To").SelectOption(selectValue("prod"))
	must(t, err, "choose target")

	var mu sync.Mutex
	var requests []string
	page.OnRequest(func(r playwright.Request) {
		mu.Lock()
		defer mu.Unlock()
		requests = append(requests, r.Method()+" "+r.URL()+" "+r.ResourceType())
	})
	must(t, form.GetByRole("button", playwright.LocatorGetByRoleOptions{Name: "Promote"}).Click(), "promote")
	must(t, page.WaitForURL("**/releases/*"), "arrive on the release page")
	mu.Lock()
	requests = nil // from here on only the live page's own traffic counts
	mu.Unlock()
	_, err = page.Evaluate("window.__sameDocument = true")
	must(t, err, "mark the document")

	must(t, expect.Locator(page.GetByTestId("release-status")).ToContainText("succeeded", playwright.LocatorAssertionsToContainTextOptions{Timeout: playwright.Float(30_000)}), "release succeeded")
	must(t, expect.Locator(page.GetByTestId("release-env-prod")).ToContainText("succeeded"), "prod succeeded")
	commit, err := page.GetByTestId("commit-shop-prod").GetAttribute("title")
	must(t, err, "read the commit")
	same, err := page.Evaluate("window.__sameDocument === true")
	must(t, err, "read the mark")
	if same != true {
		t.Errorf("the release page reloaded; want live updates in place")
	}
	mu.Lock()
	for _, r := range requests {
		if strings.Contains(r, " xhr") || strings.Contains(r, " fetch") || strings.Contains(r, " document") {
			t.Errorf("got request %q while the release ran, want none but the event stream", r)
		}
	}
	streams := 0
	for _, r := range requests {
		if strings.Contains(r, "/events") && strings.HasSuffix(r, " eventsource") {
			streams++
		}
	}
	mu.Unlock()
	if streams == 0 {
		t.Errorf("got no event-stream request, want the updates to arrive over one")
	}

	if got := prod.show("values.yaml"); !strings.Contains(got, `tag: "2.4.0" # set by CI`) || !strings.Contains(got, "replicas: 2") {
		t.Errorf("prod values.yaml: got %q, want tag 2.4.0 with everything else kept", got)
	}
	if head := runGit(t, prod.bare, "rev-parse", "main"); head != commit {
		t.Errorf("prod head is %s, want the release's commit %s", head, commit)
	}
}
