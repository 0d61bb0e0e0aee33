package web_test

import (
	"html"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"
	"github.com/oauth2-proxy/mockoidc"

	"ladder/internal/app"
)

// subOnlyUser is a provider's user whose ID token holds only the registered claims (sub, iss,
// aud, times) and the nonce: the profile, e-mail and groups come from the userinfo endpoint
// alone, as with many providers.
type subOnlyUser struct{ *mockoidc.MockUser }

func (u subOnlyUser) Claims(_ []string, c *mockoidc.IDTokenClaims) (jwt.Claims, error) { return c, nil }

// signOn runs the authorization code flow for the next queued user and returns the session.
func (s *testServer) signOn(t *testing.T) *http.Cookie {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	resp, err := (&http.Client{Jar: jar}).Get(s.URL + "/auth/sso")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("sign-on ended with %d at %s, want 200", resp.StatusCode, resp.Request.URL)
	}
	u, _ := url.Parse(s.URL)
	return sessionCookie(t, jar.Cookies(u))
}

func (c caller) page(t *testing.T, target string) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, target, nil)
	for _, cookie := range append([]*http.Cookie{c.cookie}, c.also...) {
		req.AddCookie(cookie)
	}
	resp, err := noRedirects.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: got %d, want 200", target, resp.StatusCode)
	}
	return string(b)
}

func TestSignOnReadsUserinfoWhenTheIDTokenHoldsOnlySub(t *testing.T) {
	srv := startTestServer(t)
	srv.oidc.QueueUser(subOnlyUser{&mockoidc.MockUser{Subject: "u-17", PreferredUsername: "quinn",
		Email: "quinn@example.com", Groups: []string{"deployers"}}})
	quinn := caller{name: "quinn", cookie: srv.signOn(t)}
	admin := caller{name: "admin", cookie: srv.adminSession(t)}
	users := admin.page(t, srv.URL+"/users")
	row := regexp.MustCompile(`(?s)data-testid="user-quinn".*?</tr>`).FindString(users)
	if !strings.Contains(row, "quinn@example.com") || !strings.Contains(row, "deployers") {
		t.Errorf("the Users page shows quinn as %q; want the e-mail and group from userinfo", row)
	}
	// The groups from userinfo give the promoter role.
	if got := roleShown(t, quinn, srv); got != "promoter" {
		t.Errorf("quinn (deployers) is shown as %q, want promoter", got)
	}
}

// roleShown is the role the page header shows the caller.
func roleShown(t *testing.T, c caller, srv *testServer) string {
	t.Helper()
	m := regexp.MustCompile(`data-testid="role"[^>]*>\(([a-z]+)\)<`).FindStringSubmatch(c.page(t, srv.URL+"/environments"))
	if m == nil {
		t.Fatal("no role in the page header")
	}
	return m[1]
}

// TestUserNamesAreEscapedInURLs signs in a user the provider gives no name or e-mail, so the
// user is named issuer|sub, with a sub holding / | % ? # — and has an admin change their role
// and disable them through the forms of the Users page.
func TestUserNamesAreEscapedInURLs(t *testing.T) {
	srv := startTestServer(t)
	const sub = "a/b|c%d?e#f g"
	srv.oidc.QueueUser(subOnlyUser{&mockoidc.MockUser{Subject: sub}})
	odd := caller{name: "odd", cookie: srv.signOn(t)}
	admin := caller{name: "admin", cookie: srv.adminSession(t)}
	name := srv.oidc.Issuer() + "|" + sub
	users := admin.page(t, srv.URL+"/users")
	actions := regexp.MustCompile(`action="(/users/[^"]*)"`).FindAllStringSubmatch(users, -1)
	var role, disable string
	for _, a := range actions {
		target := html.UnescapeString(a[1])
		u, err := url.Parse(target)
		if err != nil {
			t.Fatalf("form action %q: %v", target, err)
		}
		if u.RawQuery != "" || u.Fragment != "" {
			t.Errorf("form action %q has a query or fragment: the name was not escaped", target)
		}
		switch target {
		case "/users/" + url.PathEscape(name) + "/role":
			role = target
		case "/users/" + url.PathEscape(name) + "/disable":
			disable = target
		}
	}
	if role == "" || disable == "" {
		t.Fatalf("no role or disable form for %q among %v", name, actions)
	}
	form := func(target string, v url.Values) int {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+target, strings.NewReader(v.Encode()))
		req.Header.Set("Content-Type", formType)
		req.AddCookie(admin.cookie)
		resp, err := noRedirects.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := form(role, url.Values{"role": {"promoter"}}); got != http.StatusSeeOther {
		t.Fatalf("setting the role: got %d, want 303", got)
	}
	if got := roleShown(t, odd, srv); got != "promoter" {
		t.Errorf("after the admin made them a promoter they are shown as %q", got)
	}
	if got := form(disable, nil); got != http.StatusSeeOther {
		t.Fatalf("disabling: got %d, want 303", got)
	}
	if resp := odd.do(t, http.MethodGet, srv.URL+"/environments", nil); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("a disabled user's session: got %d, want 303 to sign in", resp.StatusCode)
	}
}

func TestSignOnWithTheProviderDown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := "http://" + ln.Addr().String()
	ln.Close() // nothing listens there any more
	srv := startTestServer(t, func(c *app.Config) { c.OIDCIssuer = down })
	resp, err := noRedirects.Get(srv.URL + "/auth/sso")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	body := string(b)
	if resp.StatusCode != http.StatusBadGateway || !strings.Contains(body, "The sign-in provider cannot be reached") {
		t.Errorf("got %d %q, want 502 saying the sign-in provider cannot be reached", resp.StatusCode, body)
	}
	if !strings.Contains(body, `data-testid="local-login"`) {
		t.Errorf("the 502 page does not offer the local sign-in")
	}
}

// TestProviderGoneBeforeTheCallback starts a sign-on, stops the provider while the browser is
// there, and brings the browser back to Ladder's callback.
func TestProviderGoneBeforeTheCallback(t *testing.T) {
	srv := startTestServer(t)
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar, CheckRedirect: func(r *http.Request, _ []*http.Request) error {
		if r.URL.Path == "/auth/callback" {
			return http.ErrUseLastResponse
		}
		return nil
	}}
	resp, err := browser.Get(srv.URL + "/auth/sso")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	callback, err := resp.Location()
	if err != nil || callback.Path != "/auth/callback" {
		t.Fatalf("the provider sent the browser to %v (%v), want Ladder's callback", callback, err)
	}
	if err := srv.oidc.Shutdown(); err != nil {
		t.Fatal(err)
	}
	resp, err = browser.Get(callback.String())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusBadGateway || !strings.Contains(string(b), "The sign-in provider cannot be reached") {
		t.Errorf("got %d, want 502 saying the sign-in provider cannot be reached", resp.StatusCode)
	}
}
