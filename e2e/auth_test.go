package e2e

import (
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"
	"github.com/mxschmitt/playwright-go"
	"github.com/oauth2-proxy/mockoidc"

	"ladder/internal/app"
)

// startSSOServer starts an in-process OIDC provider and a Ladder signing in against it:
// "ladder-admins" are admins and "deployers" promoters.
func startSSOServer(t *testing.T) (*server, *mockoidc.MockOIDC) {
	t.Helper()
	provider, err := mockoidc.Run()
	must(t, err, "start the OIDC provider")
	t.Cleanup(func() { _ = provider.Shutdown() })
	srv := startServer(t, func(c *app.Config) {
		c.OIDCIssuer, c.OIDCClientID, c.OIDCClientSecret = provider.Issuer(), provider.ClientID, provider.ClientSecret
		c.OIDCScopes = "openid profile email groups"
		c.OIDCAdminGroups, c.OIDCPromoterGroups = "ladder-admins", "deployers"
	})
	return srv, provider
}

// TestSingleSignOnJourney: people sign in through the provider with the authorization code flow
// and get the role their groups give; an answer with a tampered state or nonce signs nobody in.
func TestSingleSignOnJourney(t *testing.T) {
	srv, provider := startSSOServer(t)

	t.Run("promoter by group", func(t *testing.T) {
		provider.QueueUser(&mockoidc.MockUser{Subject: "u-pat", PreferredUsername: "pat", Email: "pat@example.com", Groups: []string{"deployers"}})
		page := newPage(t, srv)
		_, err := page.Goto("/environments")
		must(t, err, "open environments")
		must(t, expect.Page(page).ToHaveURL(regexp.MustCompile(`/login\?next=%2Fenvironments$`)), "sent to sign in")
		must(t, page.GetByTestId("sso").Click(), "sign in with single sign-on")
		must(t, expect.Page(page).ToHaveURL(srv.URL+"/environments"), "back where they wanted to go")
		must(t, expect.Locator(page.GetByTestId("signed-in")).ToContainText("pat"), "signed in as pat")
		must(t, expect.Locator(page.GetByTestId("role")).ToHaveText("(promoter)"), "promoter by group")
		must(t, expect.Locator(page.GetByRole("button", named("Add environment"))).ToHaveCount(0), "no create form")
		must(t, page.GetByRole("link", named("Settings")).Click(), "open settings")
		must(t, expect.Locator(page.GetByTestId("settings-links")).ToContainText("Audit log"), "settings for everyone")
		must(t, expect.Locator(page.GetByRole("link", playwright.PageGetByRoleOptions{Name: "Users"})).ToHaveCount(0), "no admin settings")
	})

	t.Run("admin by group", func(t *testing.T) {
		provider.QueueUser(&mockoidc.MockUser{Subject: "u-ada", PreferredUsername: "ada", Groups: []string{"staff", "ladder-admins"}})
		page := newPage(t, srv)
		_, err := page.Goto("/login")
		must(t, err, "open sign-in")
		must(t, page.GetByTestId("sso").Click(), "sign in with single sign-on")
		must(t, expect.Locator(page.GetByTestId("role")).ToHaveText("(admin)"), "admin by group")
		must(t, page.GetByRole("link", named("Settings")).Click(), "open settings")
		must(t, page.GetByRole("link", named("Users")).Click(), "open users")
		must(t, expect.Locator(page.GetByTestId("user-ada")).ToContainText("ladder-admins"), "user created with groups")
		must(t, expect.Locator(page.GetByTestId("user-pat")).ToBeVisible(), "earlier user listed")
	})

	t.Run("ID token with only sub", func(t *testing.T) {
		// The provider puts only sub in the ID token; the name, e-mail and groups come from its
		// userinfo endpoint.
		provider.QueueUser(subOnlyUser{&mockoidc.MockUser{Subject: "u-quinn", PreferredUsername: "quinn",
			Email: "quinn@example.com", Groups: []string{"deployers"}}})
		quinn := newPage(t, srv)
		_, err := quinn.Goto("/login")
		must(t, err, "open sign-in")
		must(t, quinn.GetByTestId("sso").Click(), "sign in with single sign-on")
		must(t, expect.Locator(quinn.GetByTestId("signed-in")).ToContainText("quinn"), "signed in under the userinfo name")
		must(t, expect.Locator(quinn.GetByTestId("role")).ToHaveText("(promoter)"), "promoter by the userinfo groups")

		admin := newPage(t, srv)
		signInAsAdmin(t, admin)
		_, err = admin.Goto("/users")
		must(t, err, "open users")
		row := admin.GetByTestId("user-quinn")
		must(t, expect.Locator(row).ToContainText("quinn@example.com"), "e-mail from userinfo")
		must(t, expect.Locator(row).ToContainText("deployers"), "groups from userinfo")
		_, err = row.GetByTestId("role-quinn").SelectOption(playwright.SelectOptionValues{Values: &[]string{"viewer"}})
		must(t, err, "choose viewer")
		must(t, row.GetByRole("button", playwright.LocatorGetByRoleOptions{Name: "Set"}).Click(), "set the role")
		must(t, expect.Locator(admin.GetByTestId("role-quinn")).ToHaveValue("viewer"), "role stored")
		_, err = quinn.Goto("/environments")
		must(t, err, "quinn opens a page again")
		must(t, expect.Locator(quinn.GetByTestId("role")).ToHaveText("(viewer)"), "quinn now a viewer")
		shoot(t, admin, "users-userinfo")
	})

	t.Run("tampered state", func(t *testing.T) {
		provider.QueueUser(&mockoidc.MockUser{Subject: "u-eve", PreferredUsername: "eve", Groups: []string{"ladder-admins"}})
		page := newPage(t, srv)
		// Walk the redirects with the browser's own cookies up to the provider's genuine answer,
		// then swap the state on its way back to Ladder.
		toProvider := location(t, page, srv.URL+"/auth/sso")
		callback, err := url.Parse(location(t, page, toProvider))
		must(t, err, "parse the callback")
		q := callback.Query()
		if q.Get("code") == "" || q.Get("state") == "" {
			t.Fatalf("got callback %s, want a code and a state", callback)
		}
		q.Set("state", "forged-state")
		callback.RawQuery = q.Encode()
		resp, err := page.Goto(callback.String())
		must(t, err, "return with a forged state")
		if resp.Status() != 401 {
			t.Errorf("got %d, want 401", resp.Status())
		}
		must(t, expect.Locator(page.GetByTestId("login-error")).ToContainText("Single sign-on failed"), "refusal explained")
		_, err = page.Goto("/environments")
		must(t, err, "try a page")
		must(t, expect.Page(page).ToHaveURL(regexp.MustCompile(`/login`)), "still sent to sign in")
	})

	t.Run("tampered nonce", func(t *testing.T) {
		provider.QueueUser(wrongNonceUser{&mockoidc.MockUser{Subject: "u-mal", PreferredUsername: "mal", Groups: []string{"ladder-admins"}}})
		refusedSignIn(t, newPage(t, srv))
	})
}

// refusedSignIn starts single sign-on on page and checks that it ends on the sign-in page with
// an error, signed in as nobody.
func refusedSignIn(t *testing.T, page playwright.Page) {
	t.Helper()
	_, err := page.Goto("/login")
	must(t, err, "open sign-in")
	must(t, page.GetByTestId("sso").Click(), "sign in with single sign-on")
	must(t, expect.Locator(page.GetByTestId("login-error")).ToContainText("Single sign-on failed"), "refusal explained")
	must(t, expect.Locator(page.GetByTestId("signed-in")).ToHaveCount(0), "nobody signed in")
	_, err = page.Goto("/environments")
	must(t, err, "try a page")
	must(t, expect.Page(page).ToHaveURL(regexp.MustCompile(`/login`)), "still sent to sign in")
}

// location requests target with page's cookies, without following redirects, and returns where
// it redirects to.
func location(t *testing.T, page playwright.Page, target string) string {
	t.Helper()
	resp, err := page.Request().Get(target, playwright.APIRequestContextGetOptions{MaxRedirects: playwright.Int(0)})
	must(t, err, "request "+target)
	loc := resp.Headers()["location"]
	if loc == "" {
		t.Fatalf("%s answered %d without a redirect", target, resp.Status())
	}
	return loc
}

// subOnlyUser makes the provider issue ID tokens holding only the registered claims and the
// nonce, as many providers do: the profile, e-mail and groups are only in userinfo.
type subOnlyUser struct{ *mockoidc.MockUser }

func (u subOnlyUser) Claims(_ []string, c *mockoidc.IDTokenClaims) (jwt.Claims, error) { return c, nil }

// wrongNonceUser makes the provider issue ID tokens with a nonce other than the one Ladder sent,
// as a replayed token would carry.
type wrongNonceUser struct{ *mockoidc.MockUser }

func (u wrongNonceUser) Claims(scope []string, c *mockoidc.IDTokenClaims) (jwt.Claims, error) {
	c.Nonce = "nonce-of-another-sign-in"
	return u.MockUser.Claims(scope, c)
}

// exact matches a label exactly ("New password" is also part of "Repeat the new password").
var exact = playwright.PageGetByLabelOptions{Exact: playwright.Bool(true)}

// TestLocalAdminJourney: on first start the admin password is generated and printed once; the
// admin signs in with it, must choose a new one before anything else, and then uses that.
func TestLocalAdminJourney(t *testing.T) {
	srv := startServer(t, func(c *app.Config) { c.AdminPassword = "" })
	printed := regexp.MustCompile(`password:\s+(\S+)`).FindAllStringSubmatch(srv.logs.String(), -1)
	if len(printed) != 1 {
		t.Fatalf("got the password printed %d times, want once", len(printed))
	}
	generated := printed[0][1]
	page := newPage(t, srv)

	signIn := func(password string) {
		t.Helper()
		must(t, page.GetByLabel("User name").Fill("admin"), "fill user name")
		must(t, page.GetByLabel("Password").Fill(password), "fill password")
		must(t, page.GetByRole("button", named("Sign in")).Click(), "sign in")
	}
	_, err := page.Goto("/")
	must(t, err, "open Ladder")
	must(t, expect.Locator(page.GetByTestId("sso")).ToHaveCount(0), "no single sign-on offered")
	signIn("not-the-password")
	must(t, expect.Locator(page.GetByTestId("login-error")).ToHaveText("Wrong user name or password."), "wrong password refused")
	signIn(generated)
	must(t, expect.Locator(page.GetByTestId("password-forced")).ToBeVisible(), "forced to change the password")

	_, err = page.Goto("/environments")
	must(t, err, "try to go elsewhere")
	must(t, expect.Page(page).ToHaveURL(srv.URL+"/account/password"), "nothing else before the change")

	must(t, page.GetByLabel("Current password").Fill(generated), "fill current")
	must(t, page.GetByLabel("New password", exact).Fill("short"), "fill new")
	must(t, page.GetByLabel("Repeat the new password").Fill("short"), "repeat new")
	must(t, page.GetByRole("button", named("Change password")).Click(), "submit")
	must(t, expect.Locator(page.GetByTestId("error-new")).ToContainText("at least 12"), "too short, next to the field")

	const chosen = "correct-horse-battery"
	must(t, page.GetByLabel("Current password").Fill(generated), "fill current")
	must(t, page.GetByLabel("New password", exact).Fill(chosen), "fill new")
	must(t, page.GetByLabel("Repeat the new password").Fill(chosen), "repeat new")
	must(t, page.GetByRole("button", named("Change password")).Click(), "submit")
	must(t, expect.Page(page).ToHaveURL(srv.URL+"/"), "free to go on: the dashboard")
	must(t, expect.Locator(page.GetByTestId("role")).ToHaveText("(admin)"), "signed in as admin")

	must(t, page.GetByRole("button", named("Sign out")).Click(), "sign out")
	must(t, expect.Page(page).ToHaveURL(srv.URL+"/login"), "signed out")
	signIn(generated)
	must(t, expect.Locator(page.GetByTestId("login-error")).ToBeVisible(), "the generated password no longer works")
	signIn(chosen)
	must(t, expect.Page(page).ToHaveURL(srv.URL+"/"), "signed in with the chosen password")

	// The data directory is locked while a server holds it. The page goes first: its event
	// stream would report the stopped server as a console error.
	must(t, page.Close(), "close the page")
	srv.stop()
	again := startServer(t, func(c *app.Config) { c.AdminPassword, c.DataDir = "", srv.DataDir })
	if strings.Contains(again.logs.String(), "password:") {
		t.Errorf("a restart printed a password again:\n%s", again.logs.String())
	}
}
