package web_test

import (
	"bytes"
	"context"
	"database/sql"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"ladder/db"
	"ladder/internal/app"
	"ladder/internal/application"
	"ladder/internal/environment"
	"ladder/internal/fault"
	"ladder/internal/policy"
	"ladder/internal/product"
)

// ruleFixture is a server with dev (non-production) and prod (production), product shop in
// both on real repositories, and a rule that only group sre may promote to production.
type ruleFixture struct {
	srv   *testServer
	conn  *sql.DB
	repos string // where its repositories are
}

func newRuleFixture(t *testing.T) ruleFixture {
	t.Helper()
	repos := t.TempDir() // before the server, so removed after it stops (bareRepoIn)
	fx := ruleFixture{srv: startTestServer(t), repos: repos}
	ctx := context.Background()
	conn, err := db.Open(ctx, filepath.Join(fx.srv.DataDir, "ladder.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	fx.conn = conn
	check := fault.NewValidator()
	for _, e := range []environment.Input{{Name: "dev", Kind: "non-production"}, {Name: "prod", Kind: "production"}} {
		if _, err := environment.NewService(conn, check, time.Now).Create(ctx, e); err != nil {
			t.Fatalf("create environment %s: %v", e.Name, err)
		}
	}
	_, err = product.NewService(conn, check, time.Now).Create(ctx, product.Input{Name: "shop", Concurrency: "queue", QueueLimit: 50,
		Template: product.Template{VersionSource: product.VersionSource{File: "Chart.yaml", JSONPath: "$.appVersion"},
			Promotion: []product.Entry{{File: "Chart.yaml", JSONPaths: []string{"$.appVersion"}}}}})
	if err != nil {
		t.Fatalf("create product: %v", err)
	}
	for env, version := range map[string]string{"dev": "2.4.0", "prod": "2.3.1"} {
		repo := bareRepoIn(t, filepath.Join(fx.repos, "shop-"+env), map[string]string{"Chart.yaml": "name: shop\nappVersion: " + version + "\n"})
		_, err := application.NewService(conn, check, time.Now).Create(ctx, application.Input{Name: "shop-" + env,
			Environment: env, Product: "shop", RepoURL: repo, Branch: "main", Path: "."})
		if err != nil {
			t.Fatalf("create application in %s: %v", env, err)
		}
	}
	_, err = policy.NewService(conn, check, time.Now).Create(ctx, policy.Input{Name: "commit-everywhere", Settings: policy.Settings{Action: "commit"}})
	if err != nil {
		t.Fatalf("create policy: %v", err)
	}
	admin := caller{name: "admin", cookie: fx.srv.adminSession(t)}
	rule := url.Values{"name": {"sre-promotes-prod"}, "group": {"sre"}, "permission": {"promote"}, "kinds": {"production"}}
	if got := postForm(t, admin, fx.srv.URL+"/rules", rule); got >= 400 {
		t.Fatalf("create rule: got %d, want success", got)
	}
	if n := count(t, conn, "SELECT COUNT(*) FROM access_rules"); n != 1 {
		t.Fatalf("rules: got %d, want 1", n)
	}
	return fx
}

func (fx ruleFixture) releases(t *testing.T) int {
	t.Helper()
	return count(t, fx.conn, "SELECT COUNT(*) FROM releases")
}

// promoterToken creates an API token with the promoter role; tokens belong to no group.
func (fx ruleFixture) promoterToken(t *testing.T) string {
	t.Helper()
	var out bytes.Buffer
	err := app.Run(context.Background(), []string{"ladder", "token", "create", "--name", "ci", "--role", "promoter", "--data", fx.srv.DataDir},
		func(string) string { return "" }, &out)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(out.String())
}

// apiRelease asks the API to promote shop from dev to to (query "?dryRun=true": a dry run of
// it) and returns the status.
func apiRelease(t *testing.T, fx ruleFixture, c caller, to string, query ...string) int {
	t.Helper()
	req, _ := http.NewRequest("POST", fx.srv.URL+"/api/v1/releases"+strings.Join(query, ""), strings.NewReader(`{"product":"shop","from":"dev","to":"`+to+`"}`))
	req.Header.Set("Content-Type", "application/json")
	if c.cookie != nil {
		req.AddCookie(c.cookie)
	}
	if c.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+c.bearer)
	}
	resp, err := noRedirects.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// targetOptions returns the options of the "To" field of the start form's promote part.
func targetOptions(page string) string {
	form := regexp.MustCompile(`data-testid="promote-form"(?s:.*?)</form>`).FindString(page)
	return regexp.MustCompile(`<select[^>]*name="to"(?s:.*?)</select>`).FindString(form)
}

// TestPromoterLimitedToNonProduction: a promoter outside group sre sees no Promote button
// for prod and is refused with 403 by the dialog, the form and the API, with no release made;
// a member of sre, and an admin, may promote to prod.
func TestPromoterLimitedToNonProduction(t *testing.T) {
	fx := newRuleFixture(t)
	pat := caller{name: "pat", cookie: fx.srv.ssoSession(t, "pat", "deployers")}
	sam := caller{name: "sam", cookie: fx.srv.ssoSession(t, "sam", "deployers", "sre")}
	token := caller{name: "promoter token", bearer: fx.promoterToken(t)}

	t.Run("no button", func(t *testing.T) {
		for _, c := range []struct {
			who       caller
			dev, prod bool
		}{{pat, false, false}, {sam, false, true}} { // dev is first: nothing upstream to promote
			page := getPage(t, c.who, fx.srv.URL+"/")
			for to, want := range map[string]bool{"dev": c.dev, "prod": c.prod} {
				// the dashboard's offer links to the promote dialog for shop into to
				if got := strings.Contains(page, `product=shop&amp;to=`+to+`"`); got != want {
					t.Errorf("dashboard of %s: promotion of shop to %s offered %v, want %v", c.who.name, to, got, want)
				}
			}
			opts := targetOptions(getPage(t, c.who, fx.srv.URL+"/releases/start"))
			if got := strings.Contains(opts, `value="prod"`); got != c.prod {
				t.Errorf("start form of %s: prod offered as target %v, want %v (%s)", c.who.name, got, c.prod, opts)
			}
			if !strings.Contains(opts, `value="dev"`) {
				t.Errorf("start form of %s: dev not offered as target: %s", c.who.name, opts)
			}
		}
	})

	promote := url.Values{"product": {"shop"}, "from": {"dev"}, "to": {"prod"}}
	form := url.Values{"mode": {"promote"}, "product": {"shop"}, "from": {"dev"}, "to": {"prod"}}
	t.Run("refused", func(t *testing.T) {
		if got := pat.do(t, "GET", fx.srv.URL+"/promote?"+promote.Encode(), nil).StatusCode; got != http.StatusForbidden {
			t.Errorf("GET /promote to prod as pat: got %d, want 403", got)
		}
		for _, c := range []struct {
			name string
			got  func() int
		}{
			{"POST /promote", func() int { return postForm(t, pat, fx.srv.URL+"/promote", promote) }},
			{"POST /releases", func() int { return postForm(t, pat, fx.srv.URL+"/releases", form) }},
			{"API with session", func() int { return apiRelease(t, fx, pat, "prod") }},
			{"API with promoter token", func() int { return apiRelease(t, fx, token, "prod") }},
			{"API dry run with session", func() int { return apiRelease(t, fx, pat, "prod", "?dryRun=true") }},
		} {
			if got := c.got(); got != http.StatusForbidden {
				t.Errorf("%s to prod: got %d, want 403", c.name, got)
			}
		}
		if n := fx.releases(t); n != 0 {
			t.Errorf("releases after refusals: got %d, want 0", n)
		}
	})

	t.Run("allowed", func(t *testing.T) {
		admin := caller{name: "admin", cookie: fx.srv.adminSession(t)}
		for _, c := range []struct {
			name string
			got  func() int
			want int
		}{
			{"POST /promote as sam", func() int { return postForm(t, sam, fx.srv.URL+"/promote", promote) }, http.StatusSeeOther},
			{"POST /releases as sam", func() int { return postForm(t, sam, fx.srv.URL+"/releases", form) }, http.StatusSeeOther},
			{"API dry run as sam", func() int { return apiRelease(t, fx, sam, "prod", "?dryRun=true") }, http.StatusOK},
			{"API as sam", func() int { return apiRelease(t, fx, sam, "prod") }, http.StatusCreated},
			{"API as admin", func() int { return apiRelease(t, fx, admin, "prod") }, http.StatusCreated},
		} {
			if got := c.got(); got != c.want {
				t.Errorf("%s to prod: got %d, want %d", c.name, got, c.want)
			}
		}
		if n := fx.releases(t); n != 4 {
			t.Errorf("releases after allowed promotions: got %d, want 4", n)
		}
	})
}
