package web_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestEndedSessionsStayEnded copies session cookies, ends the sessions in each way Ladder has,
// and checks that the copies sign nobody in.
func TestEndedSessionsStayEnded(t *testing.T) {
	srv := startTestServer(t)
	admin := caller{name: "admin", cookie: srv.adminSession(t)}
	signedIn := func(c caller) bool {
		return c.do(t, http.MethodGet, srv.URL+"/environments", nil).StatusCode == http.StatusOK
	}

	t.Run("sign-out", func(t *testing.T) {
		copied := caller{name: "admin", cookie: srv.adminSession(t)}
		if resp := copied.do(t, http.MethodPost, srv.URL+"/logout", nil); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("sign-out: got %d, want 303", resp.StatusCode)
		}
		if signedIn(copied) {
			t.Errorf("a copy of the cookie still works after signing out")
		}
		if !signedIn(admin) {
			t.Errorf("signing out one browser ended another session")
		}
	})

	t.Run("admin signs a user out everywhere", func(t *testing.T) {
		dev := caller{name: "dev", cookie: srv.ssoSession(t, "dev")}
		if !signedIn(dev) {
			t.Fatal("dev is not signed in")
		}
		if resp := admin.do(t, http.MethodPost, srv.URL+"/users/dev/sign-out", nil); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("sign out everywhere: got %d, want 303", resp.StatusCode)
		}
		if signedIn(dev) {
			t.Errorf("dev's session still works after an admin signed dev out everywhere")
		}
	})

	t.Run("user ends their other sessions", func(t *testing.T) {
		other := caller{name: "admin", cookie: srv.adminSession(t)}
		page := admin.do(t, http.MethodGet, srv.URL+"/account", nil)
		if page.StatusCode != http.StatusOK {
			t.Fatalf("account page: got %d, want 200", page.StatusCode)
		}
		if resp := admin.do(t, http.MethodPost, srv.URL+"/account/sessions/end-others", nil); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("end others: got %d, want 303", resp.StatusCode)
		}
		if signedIn(other) || !signedIn(admin) {
			t.Errorf("after ending the other sessions: other signed in = %v, this one = %v; want false, true", signedIn(other), signedIn(admin))
		}
	})

	t.Run("password change", func(t *testing.T) {
		copied := caller{name: "admin", cookie: srv.adminSession(t)}
		form := url.Values{"current": {testAdminPassword}, "new": {"a-new-password-for-the-test"}, "confirm": {"a-new-password-for-the-test"}}
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/account/password", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", formType)
		req.AddCookie(admin.cookie)
		resp, err := noRedirects.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("password change: got %d, want 303", resp.StatusCode)
		}
		if signedIn(copied) || signedIn(admin) {
			t.Errorf("sessions from before the password change still work")
		}
		if fresh := (caller{name: "admin", cookie: sessionCookie(t, resp.Cookies())}); !signedIn(fresh) {
			t.Errorf("the session the password change started does not work")
		}
	})
}

func TestAccountPageListsSessions(t *testing.T) {
	srv := startTestServer(t)
	admin := caller{name: "admin", cookie: srv.adminSession(t)}
	srv.adminSession(t)
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/account", nil)
	req.AddCookie(admin.cookie)
	resp, err := noRedirects.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	body := string(b)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("got %d, want 200", resp.StatusCode)
	}
	if rows := strings.Count(body, `data-testid="session-`) - strings.Count(body, `data-testid="session-list"`); rows != 2 {
		t.Errorf("got %d sessions listed, want 2", rows)
	}
	if n := strings.Count(body, `data-testid="current-session"`); n != 1 {
		t.Errorf("got %d sessions marked as this browser, want 1", n)
	}
}
