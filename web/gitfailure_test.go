package web_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"ladder/internal/gitserver"
)

// TestBadSourceCredentialIsExplained: with a refused token for the trigger repository,
// POST /api/v1/releases answers 502 naming the application, repository, credential and Git's
// reason (not a 500), the dashboard shows the reason where the version would be, so does the
// application page, and the unreadable-repositories metric counts the repository.
func TestBadSourceCredentialIsExplained(t *testing.T) {
	fx := newAPIFixture(t)
	root := t.TempDir()
	dir, err := gitserver.Init(root, "shop.git")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := gitserver.Commit(dir, "main", "initial", map[string]string{
		"dev/Chart.yaml": "name: shop\nappVersion: 1.2.0\n", "staging/Chart.yaml": "name: shop\nappVersion: 1.0.0\n"}); err != nil {
		t.Fatal(err)
	}
	srv, err := gitserver.NewHTTP(root, gitserver.Auth{User: "ci", Token: "the-right-token"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	repo := srv.URL("shop.git")
	fx.must(t, "POST", "/api/v1/git-credentials", `{"name": "forge-bot", "urlPrefix": "`+srv.URL("")+`", "kind": "https", "username": "ci", "token": "a-wrong-token"}`, 201)
	for _, env := range []string{"cred-src", "cred-dst"} {
		fx.must(t, "POST", "/api/v1/environments", `{"name": "`+env+`", "kind": "non-production"}`, 201)
	}
	fx.must(t, "POST", "/api/v1/flows", `{"name": "cred", "triggerEnvironment": "cred-src", "steps": [{"environment": "cred-dst", "settings": {"action": "commit"}}]}`, 201)
	fx.must(t, "POST", "/api/v1/products", `{"name": "cred", "promotionTemplate": {"versionSource": {"file": "Chart.yaml", "jsonPath": "$.appVersion"},
		"promotion": [{"file": "Chart.yaml", "jsonPaths": ["$.appVersion"]}]}, "flows": [{"flow": "cred", "triggerSelectors": []}]}`, 201)
	for env, path := range map[string]string{"cred-src": "dev", "cred-dst": "staging"} {
		fx.must(t, "POST", "/api/v1/applications", `{"name": "cred", "environment": "`+env+`", "product": "cred",
			"repoURL": "`+repo+`", "branch": "main", "path": "`+path+`"}`, 201)
	}

	status, body := fx.call(t, "POST", "/api/v1/releases", "promoter", `{"product": "cred", "flow": "cred"}`)
	msg := string(body)
	if status != http.StatusBadGateway {
		t.Fatalf("POST /api/v1/releases: got %d %s, want 502", status, msg)
	}
	for _, want := range []string{"cred-src/cred", repo, `credential \"forge-bot\"`, "authentication failed"} {
		if !strings.Contains(msg, want) {
			t.Errorf("answer %s does not contain %q", msg, want)
		}
	}
	if strings.Contains(msg, "a-wrong-token") {
		t.Errorf("answer %s shows the token", msg)
	}

	page := get(t, fx.srv.URL+"/", fx.srv.adminSession(t))
	if !strings.Contains(page, "could not read the repository: fetch "+repo) || !strings.Contains(page, "authentication failed") {
		t.Errorf("the dashboard does not show why the repository could not be read")
	}
	app := get(t, fx.srv.URL+"/applications/cred-src/cred", fx.srv.adminSession(t))
	if !strings.Contains(app, `data-testid="git-problem"`) || !strings.Contains(app, "authentication failed") {
		t.Errorf("the application page does not show why its repository could not be read")
	}
	if other := get(t, fx.srv.URL+"/applications/cred-dst/cred", fx.srv.adminSession(t)); strings.Contains(other, `data-testid="git-problem"`) != strings.Contains(app, `data-testid="git-problem"`) {
		t.Errorf("the two applications of the same repository disagree about it")
	}
	metrics := get(t, fx.srv.URL+"/metrics", fx.srv.adminSession(t))
	if !strings.Contains(metrics, "ladder_git_unreadable_repositories 1") {
		t.Errorf("metrics do not count the unreadable repository:\n%s", grepLines(metrics, "ladder_git"))
	}
}

// get fetches url with a session cookie and returns the body.
func get(t *testing.T, url string, cookie *http.Cookie) string {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.AddCookie(cookie)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", url, resp.StatusCode)
	}
	return string(b)
}

func grepLines(s, part string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, part) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
