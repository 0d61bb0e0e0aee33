package web_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"ladder/internal/gitops"
)

// blockerCase arranges one kind of wait and names the sentence the API must show for it.
// Its product p runs through environments p-src (trigger) and p-dst, plus any in extra.
type blockerCase struct {
	name  string
	extra []string                                       // environments besides p-src and p-dst
	flow  string                                         // the flow's steps, with p standing for the product
	setup func(t *testing.T, fx *apiFixture, p string)   // before the release starts
	then  func(t *testing.T, fx *apiFixture, rel relRef) // after it started
	again bool                                           // watch a second release started after then
	env   string                                         // where the sentence shows; "" for the release itself
	want  func(rel relRef) string                        // the exact sentence, or its start when prefix
	wait  string                                         // with want a prefix: a part of the rest it must contain
	app   string                                         // extra JSON fields of the p-dst application
	conc  string                                         // the product's concurrency, "" for the default
}

// relRef is the release a case watches.
type relRef struct {
	ID     string
	Number int64
	p      string
}

func TestBlockerSentencesThroughTheAPI(t *testing.T) {
	// The cases' repositories outlive the cases: a release goes on pushing to its repository
	// after its case has read the sentence, until the server stops with the test. Made before
	// the server, this folder is removed after it stops.
	repos := t.TempDir()
	fx := newAPIFixture(t)
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	t.Cleanup(failing.Close)
	argo := newFakeArgoCD(t)
	hanging, stop := hangingServer(t)
	defer stop()
	var first int64 // the number of the release the queued one waits behind
	exact := func(s string) func(relRef) string { return func(relRef) string { return s } }
	oneStep := `[{"environment": "p-dst", "settings": {"action": "commit"}}]`
	pre := func(wf string) string {
		return `[{"environment": "p-dst", "settings": {"preAction": "` + wf + `", "action": "commit"}}]`
	}
	cases := []blockerCase{
		{name: "frz", flow: oneStep, setup: func(t *testing.T, fx *apiFixture, p string) {
			fx.form(t, "/environments/"+p+"-dst/freeze", url.Values{"reason": {"tests"}})
		},
			env: "frz-dst", want: exact("environment frozen: tests")},
		{name: "dep", extra: []string{"dep-a", "dep-b"},
			flow: `[{"environment": "p-a", "dependsOn": ["p-src"], "settings": {"action": "commit"}},
				{"environment": "p-b", "dependsOn": ["p-src"], "settings": {"action": "commit"}},
				{"environment": "p-dst", "dependsOn": ["p-a", "p-b"], "settings": {"action": "commit"}}]`,
			setup: func(t *testing.T, fx *apiFixture, p string) {
				fx.form(t, "/environments/"+p+"-a/freeze", url.Values{"reason": {"tests"}})
			},
			env: "dep-dst", want: exact("waiting for dep-a to succeed")},
		{name: "que", flow: oneStep, conc: "queue", again: true,
			setup: func(t *testing.T, fx *apiFixture, p string) {
				fx.form(t, "/environments/"+p+"-dst/freeze", url.Values{"reason": {"tests"}})
			},
			then: func(_ *testing.T, _ *apiFixture, rel relRef) { first = rel.Number },
			want: func(relRef) string {
				return "queued behind release #" + strconv.FormatInt(first, 10)
			}},
		{name: "apr", flow: pre("apr-gate"), setup: func(t *testing.T, fx *apiFixture, p string) {
			fx.must(t, "POST", "/api/v1/workflows", `{"name": "apr-gate", "timeout": "5m",
				"steps": [{"name": "sign-off", "kind": "approval", "approval": {"required": 1, "allowSelfApproval": true}}]}`, 201)
		}, env: "apr-dst", want: exact("waiting for approval: 0 of 1 (anyone who may approve here) — pre-action apr-gate, step sign-off")},
		{name: "pr", flow: `[{"environment": "p-dst", "settings": {"action": "pull-request"}}]`, env: "pr-dst",
			want: func(r relRef) string {
				return "waiting for pull request merge: branch " + gitops.PullRequestBranch("pr", int(r.Number), "pr-dst") + " into main"
			}},
		{name: "argo", flow: oneStep, app: `, "argocdServer": "argo-argo", "argocdApp": "shop-staging"`,
			setup: func(t *testing.T, fx *apiFixture, p string) {
				fx.form(t, "/settings/argocd-servers", url.Values{"name": {"argo-argo"}, "url": {argo.URL}, "token": {"argo-token"}})
			},
			env: "argo-dst", want: exact("waiting for Argo CD to sync shop-staging to "), wait: "(Argo CD: OutOfSync, Healthy)"},
		{name: "hlth", flow: oneStep, app: `, "healthURL": "` + failing.URL + `/healthz"`, env: "hlth-dst",
			want: exact("waiting for " + failing.URL + "/healthz to answer 2xx (last: 503 Service Unavailable)")},
		{name: "soak", flow: pre("soak-wf"), setup: func(t *testing.T, fx *apiFixture, p string) {
			fx.must(t, "POST", "/api/v1/workflows", `{"name": "soak-wf", "timeout": "2h",
				"steps": [{"name": "soak", "kind": "wait", "wait": {"duration": "1h"}}]}`, 201)
		}, env: "soak-dst", want: exact("waiting 1h0m0s (soak time) until "), wait: " UTC — pre-action soak-wf, step soak"},
		{name: "sgate", extra: []string{"sgate-a"},
			flow: `[{"environment": "p-a", "dependsOn": ["p-src"], "settings": {"action": "commit"}},
				{"environment": "p-dst", "dependsOn": ["p-a"], "settings": {"action": "commit"}, "soak": {"after": "1h"}}]`,
			env: "sgate-dst", want: exact("soaking: sgate-a has run "), wait: " for 0m of 1h (until "},
		{name: "http", flow: pre("probe-wf"), setup: func(t *testing.T, fx *apiFixture, p string) {
			fx.must(t, "POST", "/api/v1/workflows", `{"name": "probe-wf", "timeout": "5m",
				"steps": [{"name": "probe", "kind": "http", "http": {"method": "GET", "url": "`+failing.URL+`/ready", "retries": 3, "interval": "10s"}}]}`, 201)
		}, env: "http-dst", want: exact("health check GET " + failing.URL + "/ready attempt 1 of 4: got 503, want 2xx; next try in 10s — pre-action probe-wf, step probe")},
		{name: "prom", flow: pre("prom-gate"), app: `, "healthURL": "` + hanging.URL + `/healthz"`,
			setup: func(t *testing.T, fx *apiFixture, p string) {
				fx.must(t, "POST", "/api/v1/workflows", `{"name": "prom-gate", "timeout": "5m",
					"steps": [{"name": "sign-off", "kind": "approval", "approval": {"required": 1, "allowSelfApproval": true}}]}`, 201)
			},
			then: func(t *testing.T, fx *apiFixture, rel relRef) {
				fx.blockerOf(t, rel, "prom-dst", "waiting for approval: ", "step sign-off")
				// Approving at once also covers a decision that lands while the step's job is
				// still rescheduling itself: it must run again at once, not at the next recheck.
				fx.must(t, "POST", "/api/v1/releases/"+rel.ID+"/approve", "", 200)
			},
			env: "prom-dst", want: exact("promoting prom")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rel := fx.startBlocked(t, filepath.Join(repos, c.name), c)
			if c.then != nil {
				c.then(t, fx, rel)
			}
			if c.again {
				rel = fx.startRelease(t, c.name)
			}
			fx.blockerOf(t, rel, c.env, c.want(rel), c.wait)
		})
	}
}

// startBlocked builds the case's model through the API, on a repository made in dir, and
// starts a release of it.
func (fx *apiFixture) startBlocked(t *testing.T, dir string, c blockerCase) relRef {
	t.Helper()
	p := c.name
	repo := bareRepoIn(t, dir, map[string]string{
		"dev/Chart.yaml": "name: shop\nappVersion: 1.2.0\n", "staging/Chart.yaml": "name: shop\nappVersion: 1.0.0\n"})
	for _, env := range append([]string{p + "-src", p + "-dst"}, c.extra...) {
		fx.must(t, "POST", "/api/v1/environments", `{"name": "`+env+`", "kind": "non-production"}`, 201)
	}
	if c.setup != nil {
		c.setup(t, fx, p)
	}
	fx.must(t, "POST", "/api/v1/flows", `{"name": "`+p+`", "triggerEnvironment": "`+p+`-src", "steps": `+
		strings.ReplaceAll(c.flow, `"p-`, `"`+p+`-`)+`}`, 201)
	conc := ""
	if c.conc != "" {
		conc = `, "concurrency": "` + c.conc + `"`
	}
	fx.must(t, "POST", "/api/v1/products", `{"name": "`+p+`", "promotionTemplate": {"versionSource": {"file": "Chart.yaml", "jsonPath": "$.appVersion"},
		"promotion": [{"file": "Chart.yaml", "jsonPaths": ["$.appVersion"]}]}, "flows": [{"flow": "`+p+`", "triggerSelectors": []}]`+conc+`}`, 201)
	for _, env := range append([]string{p + "-src", p + "-dst"}, c.extra...) {
		path, more := "staging", ""
		switch env {
		case p + "-src":
			path = "dev"
		case p + "-dst":
			more = c.app
		}
		fx.must(t, "POST", "/api/v1/applications", `{"name": "`+p+`", "environment": "`+env+`", "product": "`+p+`",
			"repoURL": "`+repo+`", "branch": "main", "path": "`+path+`"`+more+`}`, 201)
	}
	return fx.startRelease(t, p)
}

// startRelease starts a release of product p through its flow with a bearer token.
func (fx *apiFixture) startRelease(t *testing.T, p string) relRef {
	t.Helper()
	var rel relRef
	if err := json.Unmarshal(fx.must(t, "POST", "/api/v1/releases", `{"product": "`+p+`", "flow": "`+p+`"}`, 201), &rel); err != nil {
		t.Fatal(err)
	}
	rel.p = p
	return rel
}

// blockerOf polls GET /api/v1/releases/{id} as a viewer until the blocker of environment env
// (of the release itself when env is "") is want (or, with rest, starts with want and then
// contains rest), and fails with the last blocker seen when it never is.
func (fx *apiFixture) blockerOf(t *testing.T, rel relRef, env, want, rest string) {
	t.Helper()
	var got string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(25 * time.Millisecond) {
		status, body := fx.call(t, "GET", "/api/v1/releases/"+rel.ID, "viewer", "")
		if status != http.StatusOK {
			t.Fatalf("GET release %s: got %d (%s), want 200", rel.ID, status, body)
		}
		var out struct {
			Blocker      string
			Environments []struct{ Name, Blocker string }
		}
		if err := json.Unmarshal(body, &out); err != nil {
			t.Fatal(err)
		}
		got = out.Blocker
		for _, e := range out.Environments {
			if env != "" && e.Name == env {
				got = e.Blocker
			}
		}
		if got == want || (rest != "" && strings.HasPrefix(got, want) && strings.Contains(got[len(want):], rest)) {
			return
		}
	}
	t.Fatalf("blocker of %q in release %s: got %q, want %q (then %q)", env, rel.ID, got, want, rest)
}

// form posts values to a page route as the signed-in admin, as the browser's form does.
func (fx *apiFixture) form(t *testing.T, path string, values url.Values) {
	t.Helper()
	req, _ := http.NewRequest("POST", fx.srv.URL+path, strings.NewReader(values.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(fx.srv.adminSession(t))
	resp, err := noRedirects.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	resp.Body.Close()
	if resp.StatusCode >= 400 {
		t.Fatalf("POST %s: got %d, want a success", path, resp.StatusCode)
	}
}

// newFakeArgoCD serves Argo CD's application API, always reporting the application
// OutOfSync and Healthy, to a caller with the token argo-token.
func newFakeArgoCD(t *testing.T) *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/applications/{name}", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer argo-token" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{
			"metadata": map[string]any{"name": r.PathValue("name"), "namespace": "argocd"},
			"status": map[string]any{"sync": map[string]any{"status": "OutOfSync", "revision": ""},
				"health": map[string]any{"status": "Healthy"}, "operationState": map[string]any{"phase": "Succeeded"}},
		})
	})
	mux.HandleFunc("POST /api/v1/applications/{name}/sync", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(`{}`))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// hangingServer answers nothing until stop is called, so a health check against it stays
// under way; stop also runs at cleanup.
func hangingServer(t *testing.T) (*httptest.Server, func()) {
	done := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-done:
		case <-r.Context().Done():
		}
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	var stopped bool
	stop := func() {
		if !stopped {
			stopped = true
			close(done)
		}
	}
	t.Cleanup(srv.Close)
	t.Cleanup(stop)
	return srv, stop
}
