package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"ladder/web"
)

// TestCachedPagesShowChanges views a release page and the releases list until they are
// served from the cache, changes the release behind them through the API, and expects the
// pages to show it once it is stored and a rendering from before it may no longer serve
// (coalesce after the write).
func TestCachedPagesShowChanges(t *testing.T) {
	fx := newAPIFixture(t)
	rel := fx.frozenRelease(t, "cache")
	v := caller{cookie: fx.srv.adminSession(t)}
	for _, path := range []string{"/releases/" + rel.ID, "/releases"} {
		for range 3 {
			if page := v.page(t, fx.srv.URL+path); strings.Contains(page, `data-st="terminated"`) {
				t.Fatalf("%s shows TERMINATED before the release was terminated", path)
			}
		}
	}
	fx.must(t, "POST", "/api/v1/releases/"+rel.ID+"/terminate", "", 200)
	// The runner finishes the termination in the background; the API (never cached) tells
	// when it is stored.
	fx.vars["{release}"] = rel.ID
	fx.waitForStatus(t, "TERMINATED")
	time.Sleep(web.Coalesce)
	for _, path := range []string{"/releases/" + rel.ID, "/releases"} {
		if page := v.page(t, fx.srv.URL+path); !strings.Contains(page, `data-st="terminated"`) {
			t.Errorf("%s %s after the release was terminated does not show TERMINATED", path, web.Coalesce)
		}
	}
}

// TestCachedPagesShowTheViewersOwnChangeAtOnce: a person who changes something sees it on
// the next page they load, even though that page was rendered a moment before.
func TestCachedPagesShowTheViewersOwnChangeAtOnce(t *testing.T) {
	fx := newAPIFixture(t)
	rel := fx.frozenRelease(t, "mine")
	path := "/releases/" + rel.ID
	v := caller{cookie: fx.srv.adminSession(t)}
	for range 3 {
		if page := v.page(t, fx.srv.URL+path); strings.Contains(page, `data-testid="share-links"`) {
			t.Fatalf("the release page shows share links before any was made")
		}
	}
	req, _ := http.NewRequest("POST", fx.srv.URL+path+"/shares", strings.NewReader(url.Values{"expires": {"24h"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", fx.srv.URL)
	req.AddCookie(v.cookie)
	resp, err := noRedirects.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode >= 400 {
		t.Fatalf("creating a share link: %d", resp.StatusCode)
	}
	var wrote *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "ladder_wrote" {
			wrote = c
		}
	}
	if wrote == nil || wrote.Value == "" || wrote.MaxAge <= 0 {
		t.Fatalf("the answer to a change sets no write version: %v", resp.Cookies())
	}
	v.also = append(v.also, wrote)
	if page := v.page(t, fx.srv.URL+path); !strings.Contains(page, `data-testid="share-links"`) {
		t.Errorf("right after making a share link, its maker's release page does not list it")
	}
}

// frozenRelease starts a release of a new product p whose one target environment is frozen,
// and returns it once it waits there.
func (fx *apiFixture) frozenRelease(t *testing.T, p string) relRef {
	t.Helper()
	rel := fx.startBlocked(t, t.TempDir(), blockerCase{name: p, flow: `[{"environment": "p-dst", "settings": {"action": "commit"}}]`,
		setup: func(t *testing.T, fx *apiFixture, p string) {
			fx.form(t, "/environments/"+p+"-dst/freeze", url.Values{"reason": {"tests"}})
		}})
	fx.blockerOf(t, rel, p+"-dst", "environment frozen: tests", "")
	return rel
}
