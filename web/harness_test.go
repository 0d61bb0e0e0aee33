package web_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"github.com/oauth2-proxy/mockoidc"

	"ladder/internal/app"
)

const testAdminPassword = "web-test-admin-password"

// testServer is a whole Ladder started in-process, with single sign-on against an in-process
// OIDC provider: members of "ladder-admins" are admins, of "deployers" promoters.
type testServer struct {
	URL     string
	DataDir string
	oidc    *mockoidc.MockOIDC
}

func startTestServer(t testing.TB, configure ...func(*app.Config)) *testServer {
	t.Helper()
	m, err := mockoidc.Run()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Shutdown() })
	cfg := app.Config{Listen: "127.0.0.1:0", DataDir: t.TempDir(), LogLevel: "error", LogFormat: "text",
		AdminPassword: testAdminPassword, OIDCIssuer: m.Issuer(), OIDCClientID: m.ClientID,
		OIDCClientSecret: m.ClientSecret, OIDCScopes: "openid profile email groups",
		OIDCAdminGroups: "ladder-admins", OIDCPromoterGroups: "deployers"}
	for _, c := range configure {
		c(&cfg)
	}
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := app.Start(ctx, cfg, &bytes.Buffer{})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); _ = srv.Wait() })
	return &testServer{URL: "http://" + srv.Addr(), DataDir: cfg.DataDir, oidc: m}
}

// noRedirects is a client that shows every answer as it is.
var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// adminSession signs in as the local admin and returns the session cookie.
func (s *testServer) adminSession(t testing.TB) *http.Cookie {
	t.Helper()
	resp, err := noRedirects.PostForm(s.URL+"/login", url.Values{"name": {"admin"}, "password": {testAdminPassword}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("admin sign-in: got %d, want 303", resp.StatusCode)
	}
	return sessionCookie(t, resp.Cookies())
}

// ssoSession signs a user with groups in through the real authorization code flow and returns
// the session cookie.
func (s *testServer) ssoSession(t *testing.T, name string, groups ...string) *http.Cookie {
	t.Helper()
	s.oidc.QueueUser(&mockoidc.MockUser{Subject: "sub-" + name, PreferredUsername: name, Email: name + "@example.com", Groups: groups})
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	resp, err := client.Get(s.URL + "/auth/sso")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("sign-on of %s ended with %d at %s, want 200", name, resp.StatusCode, resp.Request.URL)
	}
	u, _ := url.Parse(s.URL)
	return sessionCookie(t, jar.Cookies(u))
}

func sessionCookie(t testing.TB, cookies []*http.Cookie) *http.Cookie {
	t.Helper()
	for _, c := range cookies {
		if c.Name == "ladder_session" && c.Value != "" {
			return c
		}
	}
	t.Fatalf("no session cookie in %v", cookies)
	return nil
}

// caller is who sends a request: a session cookie, a bearer token, or nobody.
type caller struct {
	name   string
	cookie *http.Cookie
	also   []*http.Cookie // the browser's other cookies (page reads them)
	bearer string
	role   string // "" for anonymous
}

func (c caller) do(t *testing.T, method, target string, header http.Header) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, target, strings.NewReader(""))
	if err != nil {
		t.Fatal(err)
	}
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if c.cookie != nil {
		req.AddCookie(c.cookie)
	}
	if c.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+c.bearer)
	}
	resp, err := noRedirects.Do(req)
	if err != nil {
		t.Fatalf("%s %s as %s: %v", method, target, c.name, err)
	}
	resp.Body.Close()
	return resp
}
