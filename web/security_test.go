package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"ladder/internal/app"
)

func TestCrossOriginPostIsRefused(t *testing.T) {
	srv := startTestServer(t)
	admin := caller{name: "admin", cookie: srv.adminSession(t)}
	tests := []struct {
		name   string
		header http.Header
		want   int
	}{
		{"cross-site fetch", http.Header{"Sec-Fetch-Site": {"cross-site"}}, http.StatusForbidden},
		{"foreign origin", http.Header{"Origin": {"https://evil.example"}}, http.StatusForbidden},
		{"same origin", http.Header{"Sec-Fetch-Site": {"same-origin"}}, http.StatusUnprocessableEntity},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// An empty form: allowed through, it fails validation (422) and changes nothing.
			if resp := admin.do(t, http.MethodPost, srv.URL+"/environments", tt.header); resp.StatusCode != tt.want {
				t.Errorf("got %d, want %d", resp.StatusCode, tt.want)
			}
		})
	}
}

func TestSessionCookieFlags(t *testing.T) {
	tests := []struct {
		name       string
		publicURL  string
		wantSecure bool
	}{
		{"served over http", "", false},
		{"served over https", "https://ladder.example", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startTestServer(t, func(c *app.Config) { c.PublicURL = tt.publicURL })
			c := srv.adminSession(t)
			if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Secure != tt.wantSecure || c.Path != "/" {
				t.Errorf("got HttpOnly=%v SameSite=%v Secure=%v Path=%q; want HttpOnly, Lax, Secure=%v, /",
					c.HttpOnly, c.SameSite, c.Secure, c.Path, tt.wantSecure)
			}
		})
	}
}

func TestSignInRotatesTheSession(t *testing.T) {
	srv := startTestServer(t)
	// A cookie from before sign-in (a sign-on attempt) must not be the cookie after it.
	resp, err := noRedirects.Get(srv.URL + "/auth/sso")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	before := sessionCookie(t, resp.Cookies())
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/login", strings.NewReader(url.Values{"name": {"admin"}, "password": {testAdminPassword}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(before)
	resp, err = noRedirects.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	after := sessionCookie(t, resp.Cookies())
	if after.Value == before.Value {
		t.Errorf("the session cookie did not change at sign-in")
	}
	// The pre-sign-in cookie does not sign anyone in.
	if got := (caller{name: "planted", cookie: before}).do(t, http.MethodGet, srv.URL+"/environments", nil); got.StatusCode != http.StatusSeeOther {
		t.Errorf("planted cookie: got %d, want 303 to sign in", got.StatusCode)
	}
}

func TestLoginIsRateLimited(t *testing.T) {
	srv := startTestServer(t)
	var codes []int
	for range 6 {
		resp, err := noRedirects.PostForm(srv.URL+"/login", url.Values{"name": {"admin"}, "password": {"wrong"}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		codes = append(codes, resp.StatusCode)
		if resp.StatusCode == http.StatusTooManyRequests && resp.Header.Get("Retry-After") == "" {
			t.Errorf("429 without Retry-After")
		}
	}
	want := []int{401, 401, 401, 401, 401, 429}
	for i := range want {
		if codes[i] != want[i] {
			t.Fatalf("got %v, want %v", codes, want)
		}
	}
	// Even the right password waits now.
	resp, _ := noRedirects.PostForm(srv.URL+"/login", url.Values{"name": {"admin"}, "password": {testAdminPassword}})
	resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("right password while limited: got %d, want 429", resp.StatusCode)
	}
}

func TestSignInNeverRedirectsToAnotherHost(t *testing.T) {
	srv := startTestServer(t)
	for _, next := range []string{"/\t/evil.example/", "/\n/evil.example/", "/\r/evil.example", "/\\evil.example",
		"\t//evil.example", "//evil.example", "https://evil.example/", "/%2F/evil.example"} {
		t.Run(strings.ReplaceAll(url.QueryEscape(next), "%", "_"), func(t *testing.T) {
			resp, err := noRedirects.PostForm(srv.URL+"/login", url.Values{"name": {"admin"}, "password": {testAdminPassword}, "next": {next}})
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			loc, _ := resp.Location()
			if resp.StatusCode != http.StatusSeeOther || loc == nil || loc.Host != strings.TrimPrefix(srv.URL, "http://") {
				t.Fatalf("got %d to %v, want 303 to this host", resp.StatusCode, loc)
			}
			if raw := resp.Header.Get("Location"); strings.Contains(raw, "evil") && raw != "/%2F/evil.example" {
				t.Errorf("Location %q, want a path on this site", raw)
			}
			// The same next on the sign-on link, for a browser already signed in.
			cookie := sessionCookie(t, resp.Cookies())
			sso := caller{name: "admin", cookie: cookie}.do(t, http.MethodGet, srv.URL+"/auth/sso?next="+url.QueryEscape(next), nil)
			if raw := sso.Header.Get("Location"); strings.Contains(raw, "evil") && raw != "/%2F/evil.example" {
				t.Errorf("sign-on Location %q, want a path on this site", raw)
			}
		})
	}
}

func TestSignOnLinkDoesNotEndASession(t *testing.T) {
	srv := startTestServer(t)
	admin := caller{name: "admin", cookie: srv.adminSession(t)}
	resp := admin.do(t, http.MethodGet, srv.URL+"/auth/sso?next=/environments", http.Header{"Sec-Fetch-Site": {"cross-site"}})
	for _, c := range resp.Cookies() {
		if c.Name == "ladder_session" {
			t.Errorf("GET /auth/sso replaced the session cookie (%q, MaxAge %d)", c.Value, c.MaxAge)
		}
	}
	if got := admin.do(t, http.MethodGet, srv.URL+"/environments", nil); got.StatusCode != http.StatusOK {
		t.Errorf("after the sign-on link: GET /environments got %d, want 200", got.StatusCode)
	}
}

func TestPagesAreNotStored(t *testing.T) {
	srv := startTestServer(t)
	admin := caller{name: "admin", cookie: srv.adminSession(t)}
	for _, path := range []string{"/", "/environments", "/users", "/login", "/api/v1/environments"} {
		if got := admin.do(t, http.MethodGet, srv.URL+path, nil).Header.Get("Cache-Control"); got != "no-store" {
			t.Errorf("GET %s: Cache-Control %q, want no-store", path, got)
		}
	}
	static := admin.do(t, http.MethodGet, srv.URL+"/static/vendor/htmx.min.js", nil)
	if got := static.Header.Get("Cache-Control"); got == "no-store" {
		t.Errorf("a static file is no-store; it should keep its own caching")
	}
	// Vary is for caches choosing among answers they stored: a static file says it, a page
	// that no cache keeps does not need to.
	if got := static.Header.Get("Vary"); got != "Accept-Encoding" {
		t.Errorf("a static file: Vary %q, want Accept-Encoding", got)
	}
	page := admin.do(t, http.MethodGet, srv.URL+"/", http.Header{"Accept-Encoding": {"gzip"}})
	if enc, vary := page.Header.Get("Content-Encoding"), page.Header.Values("Vary"); enc != "gzip" || len(vary) > 0 {
		t.Errorf("the dashboard: Content-Encoding %q, Vary %q; want gzip and no Vary", enc, vary)
	}
}
