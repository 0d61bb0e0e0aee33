package web_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestCachedPagesShowChangesAtOnce views a release page and the releases list until they are
// served from the cache, changes the release behind them, and expects the first view after
// the change is stored to show it.
func TestCachedPagesShowChangesAtOnce(t *testing.T) {
	fx := newAPIFixture(t)
	rel := fx.frozenRelease(t, "cache")
	cookie := fx.srv.adminSession(t)
	view := func(path string) string {
		t.Helper()
		req, _ := http.NewRequest("GET", fx.srv.URL+path, nil)
		req.AddCookie(cookie)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d", path, resp.StatusCode)
		}
		return string(b)
	}
	for _, path := range []string{"/releases/" + rel.ID, "/releases"} {
		for range 3 {
			if page := view(path); strings.Contains(page, `data-status="TERMINATED"`) {
				t.Fatalf("%s shows TERMINATED before the release was terminated", path)
			}
		}
	}
	fx.must(t, "POST", "/api/v1/releases/"+rel.ID+"/terminate", "", 200)
	// The runner finishes the termination in the background; the API (never cached) tells
	// when it is stored. From then on every page must show it.
	fx.vars["{release}"] = rel.ID
	fx.waitForStatus(t, "TERMINATED")
	for _, path := range []string{"/releases/" + rel.ID, "/releases"} {
		if page := view(path); !strings.Contains(page, `data-status="TERMINATED"`) {
			t.Errorf("%s right after the release was terminated does not show TERMINATED", path)
		}
	}
}

// frozenRelease starts a release of a new product p whose one target environment is frozen,
// and returns it once it waits there.
func (fx *apiFixture) frozenRelease(t *testing.T, p string) relRef {
	t.Helper()
	rel := fx.startBlocked(t, blockerCase{name: p, flow: `[{"environment": "p-dst", "settings": {"action": "commit"}}]`,
		setup: func(t *testing.T, fx *apiFixture, p string) {
			fx.form(t, "/environments/"+p+"-dst/freeze", url.Values{"reason": {"tests"}})
		}})
	fx.blockerOf(t, rel, p+"-dst", "environment frozen: tests", "")
	return rel
}
