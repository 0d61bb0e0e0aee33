package web_test

import (
	"bytes"
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"ladder/internal/app"
	"ladder/web"
)

// publicRoutes are the only routes anyone may call without signing in. Making a route public is
// a decision: add it here on purpose.
var publicRoutes = []string{
	"GET /healthz", "GET /readyz", "GET /static/", "GET /demo/healthz",
	"GET /login", "POST /login", "GET /auth/sso", "GET /auth/callback",
	"GET /api/v1/openapi.json",
	"GET /s/{token}", "GET /s/{token}/events",
	"POST /hooks/github", "POST /hooks/gitlab", "POST /hooks/gitea", // push webhooks, checked by signature
}

var levels = []string{"public", "viewer", "promoter", "admin"}

func TestEveryRouteHasAnAccessDecision(t *testing.T) {
	mux := http.NewServeMux()
	for _, rt := range web.Routes() {
		mux.Handle(rt.Pattern, http.NotFoundHandler())
	}
	for _, rt := range web.Routes() {
		t.Run(rt.Pattern, func(t *testing.T) {
			if !slices.Contains(levels, rt.Access) {
				t.Errorf("access %q, want one of %v", rt.Access, levels)
			}
			if isPublic := rt.Access == "public"; isPublic != slices.Contains(publicRoutes, rt.Pattern) {
				t.Errorf("public = %v; public routes must be exactly %v", isPublic, publicRoutes)
			}
			// The request the matrix sends for this route must reach this very route.
			method, path := requestFor(rt.Pattern)
			req, _ := http.NewRequest(method, "http://ladder.test"+path, nil)
			if _, got := mux.Handler(req); got != rt.Pattern {
				t.Errorf("%s %s reaches %q, want %q", method, path, got, rt.Pattern)
			}
		})
	}
}

// requestFor turns a route pattern into a concrete request: wildcards become names that do not
// exist, so allowed callers get a real answer (often 404) without changing anything.
func requestFor(pattern string) (method, path string) {
	method, path, _ = strings.Cut(pattern, " ")
	path = strings.ReplaceAll(path, "{$}", "")
	for strings.Contains(path, "{") {
		i, j := strings.Index(path, "{"), strings.Index(path, "}")
		path = path[:i] + "no-such-thing" + path[j+1:]
	}
	return method, path
}

func TestAuthorizationMatrix(t *testing.T) {
	srv := startTestServer(t)
	var out bytes.Buffer
	err := app.Run(context.Background(), []string{"ladder", "token", "create", "--name", "ci", "--role", "promoter", "--data", srv.DataDir},
		func(string) string { return "" }, &out)
	if err != nil {
		t.Fatal(err)
	}
	callers := []caller{
		{name: "anonymous"},
		{name: "viewer", cookie: srv.ssoSession(t, "vera"), role: "viewer"},
		{name: "promoter", cookie: srv.ssoSession(t, "pat", "deployers"), role: "promoter"},
		{name: "admin", cookie: srv.adminSession(t), role: "admin"},
		{name: "promoter token", bearer: strings.TrimSpace(out.String()), role: "promoter"},
	}
	for _, rt := range web.Routes() {
		method, path := requestFor(rt.Pattern)
		for _, c := range callers {
			t.Run(rt.Pattern+" as "+c.name, func(t *testing.T) {
				if rt.Pattern == "POST /logout" && c.cookie != nil {
					c.cookie = freshSession(t, srv, c) // signing out ends the session the others use
				}
				resp := c.do(t, method, srv.URL+path, nil)
				checkSecurityHeaders(t, resp)
				toLogin := resp.StatusCode == http.StatusSeeOther && strings.HasPrefix(resp.Header.Get("Location"), "/login?next=")
				switch want := expectation(rt.Access, c.role); want {
				case "allowed":
					if resp.StatusCode == http.StatusForbidden || toLogin || (resp.StatusCode == http.StatusUnauthorized && rt.Access != "public") {
						t.Errorf("got %d (Location %q), want access granted", resp.StatusCode, resp.Header.Get("Location"))
					}
				case "sign in":
					api := strings.HasPrefix(path, "/api/")
					if (api && resp.StatusCode != http.StatusUnauthorized) || (!api && !toLogin) {
						t.Errorf("got %d (Location %q), want 401 for the API or 303 to /login", resp.StatusCode, resp.Header.Get("Location"))
					}
				case "forbidden":
					if resp.StatusCode != http.StatusForbidden {
						t.Errorf("got %d, want 403", resp.StatusCode)
					}
				}
			})
		}
	}
}

// freshSession signs the caller c in again, in a session of its own.
func freshSession(t *testing.T, srv *testServer, c caller) *http.Cookie {
	switch c.name {
	case "admin":
		return srv.adminSession(t)
	case "promoter":
		return srv.ssoSession(t, "pat", "deployers")
	}
	return srv.ssoSession(t, "vera")
}

// expectation is what a caller with role (empty: anonymous) gets from a route of level.
func expectation(level, role string) string {
	switch {
	case level == "public":
		return "allowed"
	case role == "":
		return "sign in"
	case slices.Index(levels, role) >= slices.Index(levels, level):
		return "allowed"
	default:
		return "forbidden"
	}
}

func TestAnonymousHtmxAndBadTokensGet401(t *testing.T) {
	srv := startTestServer(t)
	tests := []struct {
		name   string
		c      caller
		header http.Header
	}{
		{"htmx without session", caller{name: "anonymous"}, http.Header{"Hx-Request": {"true"}}},
		{"unknown token", caller{name: "bad token", bearer: "ladder_not-a-real-token"}, nil},
		{"not a bearer token", caller{name: "basic"}, http.Header{"Authorization": {"Basic YWRtaW46YWRtaW4="}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if resp := tt.c.do(t, http.MethodGet, srv.URL+"/environments", tt.header); resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("got %d, want 401", resp.StatusCode)
			}
		})
	}
}

func checkSecurityHeaders(t *testing.T, resp *http.Response) {
	t.Helper()
	for header, want := range map[string]string{
		"Content-Security-Policy": "frame-ancestors 'none'",
		"X-Content-Type-Options":  "nosniff",
		"Referrer-Policy":         "same-origin",
		"X-Frame-Options":         "DENY",
	} {
		if got := resp.Header.Get(header); !strings.Contains(got, want) {
			t.Errorf("%s: got %q, want it to contain %q", header, got, want)
		}
	}
	if csp := resp.Header.Get("Content-Security-Policy"); strings.Contains(csp, "unsafe-inline") {
		t.Errorf("Content-Security-Policy allows inline script: %q", csp)
	}
}
