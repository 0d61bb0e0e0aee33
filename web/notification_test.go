package web_test

import (
	"database/sql"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"ladder/db"
)

// fakeReceiver is a webhook receiver that records what it is sent.
type fakeReceiver struct {
	mu     sync.Mutex
	bodies [][]byte
}

func (f *fakeReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.bodies = append(f.bodies, b)
	f.mu.Unlock()
}

func (f *fakeReceiver) events() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, b := range f.bodies {
		var p struct{ Event string }
		_ = json.Unmarshal(b, &p)
		out = append(out, p.Event)
	}
	return out
}

// TestNotificationsArriveInOrderAndFailingReceiversDoNotDelayReleases runs a release while
// one receiver answers 500 and another hangs: the release finishes regardless, the working
// receiver gets every event in order with the documented JSON, and the failures are
// recorded for the notifications page.
func TestNotificationsArriveInOrderAndFailingReceiversDoNotDelayReleases(t *testing.T) {
	fx := newAPIFixture(t)
	ok := &fakeReceiver{}
	okSrv := httptest.NewServer(ok)
	defer okSrv.Close()
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "down for maintenance", http.StatusInternalServerError)
	}))
	defer failing.Close()
	release := make(chan struct{})
	hanging := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { <-release }))
	defer hanging.Close()
	defer close(release) // runs before the servers close, so their handlers can return

	admin := caller{name: "admin", cookie: fx.srv.adminSession(t)}
	for _, ch := range []url.Values{
		{"name": {"ops"}, "kind": {"webhook"}, "url": {okSrv.URL + "/hook"}},
		{"name": {"broken"}, "kind": {"webhook"}, "url": {failing.URL}, "product": {"shop"}},
		{"name": {"stuck"}, "kind": {"slack"}, "url": {hanging.URL + "/services/T0/B0/secret"}},
	} {
		if status := postForm(t, admin, fx.srv.URL+"/settings/notifications", ch); status != http.StatusSeeOther {
			t.Fatalf("create channel %s: got %d, want 303", ch.Get("name"), status)
		}
	}
	if status := postForm(t, admin, fx.srv.URL+"/settings/notifications", url.Values{"name": {"Bad!"}, "kind": {"pigeon"}, "url": {"nope"}}); status != http.StatusUnprocessableEntity {
		t.Errorf("an invalid channel: got %d, want 422", status)
	}
	fx.vars["{repo}"] = fx.repo
	for _, c := range []struct{ path, body string }{
		{"/api/v1/environments", `{"name": "dev", "kind": "non-production"}`},
		{"/api/v1/environments", `{"name": "staging", "kind": "production"}`},
		{"/api/v1/policies", `{"name": "default-commit", "settings": {"action": "commit"}}`},
		{"/api/v1/flows", `{"name": "dev-to-staging", "triggerEnvironment": "dev", "steps": [{"environment": "staging"}]}`},
		{"/api/v1/products", `{"name": "shop", "promotionTemplate": {"versionSource": {"file": "Chart.yaml", "jsonPath": "$.appVersion"},
			"promotion": [{"file": "Chart.yaml", "jsonPaths": ["$.appVersion"]}]}, "flows": [{"flow": "dev-to-staging"}]}`},
		{"/api/v1/applications", `{"name": "shop", "environment": "dev", "product": "shop", "repoURL": "{repo}", "branch": "main", "path": "dev"}`},
		{"/api/v1/applications", `{"name": "shop", "environment": "staging", "product": "shop", "repoURL": "{repo}", "branch": "main", "path": "staging"}`},
	} {
		fx.must(t, "POST", c.path, c.body, 201)
	}

	start := time.Now()
	var rel struct{ ID string }
	_ = json.Unmarshal(fx.must(t, "POST", "/api/v1/releases", `{"product": "shop", "flow": "dev-to-staging"}`, 201), &rel)
	fx.vars["{release}"] = rel.ID
	fx.waitForStatus(t, "SUCCEEDED")
	took := time.Since(start)
	if took > 5*time.Second {
		t.Errorf("the release took %v with failing receivers, want well under the 10 s delivery timeout", took)
	}
	t.Logf("release finished in %v while one receiver failed and one hung", took)

	want := []string{"release.started", "environment.started", "environment.succeeded", "release.succeeded"}
	for deadline := time.Now().Add(10 * time.Second); len(ok.events()) < len(want) && time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
	}
	if got := strings.Join(ok.events(), " "); got != strings.Join(want, " ") {
		t.Fatalf("events: got %q, want %q", got, strings.Join(want, " "))
	}
	var last struct {
		Event, Message string
		Release        struct{ ID, Product, Status, URL string }
	}
	ok.mu.Lock()
	_ = json.Unmarshal(ok.bodies[3], &last)
	var env struct {
		Environment struct{ Name, Status string }
	}
	_ = json.Unmarshal(ok.bodies[2], &env)
	ok.mu.Unlock()
	if last.Release.ID != rel.ID || last.Release.Product != "shop" || last.Release.Status != "SUCCEEDED" ||
		last.Release.URL != fx.srv.URL+"/releases/"+rel.ID || !strings.Contains(last.Message, "succeeded") {
		t.Errorf("release.succeeded payload: got %+v", last)
	}
	if env.Environment.Name != "staging" || env.Environment.Status != "SUCCEEDED" {
		t.Errorf("environment.succeeded payload: got %+v, want staging SUCCEEDED", env.Environment)
	}

	conn, err := db.Open(t.Context(), filepath.Join(fx.srv.DataDir, "ladder.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var attempts int
	var lastError, status string
	err = conn.QueryRow(`SELECT d.attempts, d.last_error, d.status FROM notification_deliveries d
		JOIN notification_channels c ON c.id = d.channel_id WHERE c.name = 'broken' ORDER BY d.id LIMIT 1`).Scan(&attempts, &lastError, &status)
	if err != nil || attempts < 1 || !strings.Contains(lastError, "500") || status != "pending" {
		t.Errorf("the failing channel's first delivery: got attempts %d, error %q, status %q (%v), want a recorded 500 to retry", attempts, lastError, status, err)
	}
	if n := count(t, conn, "SELECT COUNT(*) FROM notification_deliveries d JOIN notification_channels c ON c.id = d.channel_id WHERE c.name = 'broken' AND d.status = 'delivered'"); n != 0 {
		t.Errorf("got %d deliveries to the failing receiver, want 0", n)
	}
	if n := count(t, conn, "SELECT COUNT(*) FROM notification_channels WHERE url LIKE '%B0/secret%' OR CAST(url_sealed AS TEXT) LIKE '%B0/secret%'"); n != 0 {
		t.Errorf("%d channel rows hold the Slack URL in clear, want it sealed", n)
	}
	page := getPage(t, admin, fx.srv.URL+"/settings/notifications")
	if !strings.Contains(page, "the receiver answered 500") || strings.Contains(page, "/services/T0/B0/secret") {
		t.Errorf("the notifications page should show the last error and hide webhook paths")
	}
}

func count(t *testing.T, conn *sql.DB, query string) int {
	t.Helper()
	var n int
	if err := conn.QueryRow(query).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func postForm(t *testing.T, c caller, target string, form url.Values) int {
	t.Helper()
	req, _ := http.NewRequest("POST", target, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(c.cookie)
	resp, err := noRedirects.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func getPage(t *testing.T, c caller, target string) string {
	t.Helper()
	req, _ := http.NewRequest("GET", target, nil)
	req.AddCookie(c.cookie)
	resp, err := noRedirects.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}
