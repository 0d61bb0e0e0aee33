package auth_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"ladder/db"
	"ladder/internal/auth"
)

func TestLimiter(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	l := auth.NewLimiter(5, time.Minute, func() time.Time { return now })
	for i := range 5 {
		if ok, _ := l.Allow("1.2.3.4|admin"); !ok {
			t.Fatalf("attempt %d refused, want allowed", i+1)
		}
	}
	ok, wait := l.Allow("1.2.3.4|admin")
	if ok || wait != time.Minute {
		t.Errorf("sixth attempt: got %v (wait %s), want refused for 1m", ok, wait)
	}
	if ok, _ := l.Allow("5.6.7.8|admin"); !ok {
		t.Errorf("another address refused, want allowed")
	}
	now = now.Add(time.Minute)
	if ok, _ := l.Allow("1.2.3.4|admin"); !ok {
		t.Errorf("after a minute: refused, want allowed")
	}
}

func TestLimiterForgetsKeysByTime(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	l := auth.NewLimiter(5, time.Minute, func() time.Time { return now })
	for i := range 500 {
		l.Allow(fmt.Sprintf("1.2.3.4|name-%d", i))
	}
	now = now.Add(time.Minute)
	l.Allow("1.2.3.4|admin")
	if got := l.Len(); got != 1 {
		t.Errorf("a window after 500 one-off attempts the limiter holds %d keys, want 1", got)
	}
}

func TestSessionKeysGeneratedOnceWithMode0600(t *testing.T) {
	dir := t.TempDir()
	first, err := auth.SessionKeys("", dir)
	if err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(filepath.Join(dir, auth.KeyFile))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v, %v; want mode 0600", info, err)
	}
	again, _ := auth.SessionKeys("", dir)
	if len(first) != 1 || first[0] != again[0] {
		t.Errorf("got %v then %v, want the same key reused", first, again)
	}
	if _, err := auth.SessionKeys("short", dir); err == nil {
		t.Errorf("short configured key: got no error")
	}
}

func TestSessionExpiry(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	s := auth.NewSessions(testDB(t, 42, 7), auth.Keys{"0123456789abcdef0123456789abcdef"}, true, func() time.Time { return now })
	rec := httptest.NewRecorder()
	if err := s.SignIn(rec, httptest.NewRequest("POST", "/login", nil), 42, "192.0.2.1"); err != nil {
		t.Fatal(err)
	}
	cookie := rec.Result().Cookies()[0]
	if !cookie.HttpOnly || !cookie.Secure || cookie.SameSite != http.SameSiteLaxMode {
		t.Errorf("got cookie %+v, want HttpOnly, Secure, SameSite=Lax", cookie)
	}
	ask := func() (int64, bool) {
		r := httptest.NewRequest("GET", "/", nil)
		r.AddCookie(cookie)
		return s.UserID(httptest.NewRecorder(), r)
	}
	tests := []struct {
		name  string
		after time.Duration
		want  bool
	}{
		{"fresh", time.Minute, true},
		{"idle 11h", 11 * time.Hour, true},
		{"idle 13h", 13 * time.Hour, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now = now.Add(tt.after) // after the previous request
			if id, ok := ask(); ok != tt.want || (ok && id != 42) {
				t.Errorf("got %d, %v; want signed in = %v", id, ok, tt.want)
			}
		})
	}
}

func TestSessionCookieIsRewrittenOncePerMinuteWhenKept(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	s := auth.NewSessions(testDB(t, 42), auth.Keys{"0123456789abcdef0123456789abcdef"}, false, func() time.Time { return now })
	rec := httptest.NewRecorder()
	if err := s.SignIn(rec, httptest.NewRequest("POST", "/login", nil), 42, "192.0.2.1"); err != nil {
		t.Fatal(err)
	}
	cookie := rec.Result().Cookies()[0]
	// A client that keeps sending the cookie it signed in with, as scripts do.
	rewritten := func(after time.Duration) bool {
		t.Helper()
		now = now.Add(after)
		r := httptest.NewRequest("GET", "/", nil)
		r.AddCookie(cookie)
		w := httptest.NewRecorder()
		if _, ok := s.UserID(w, r); !ok {
			t.Fatalf("signed out %v later", after)
		}
		return len(w.Result().Cookies()) > 0
	}
	if rewritten(30 * time.Second) {
		t.Error("the cookie was rewritten within a minute of sign-in")
	}
	if !rewritten(2 * time.Minute) {
		t.Error("the cookie was not rewritten with its last-seen time after two minutes")
	}
	for i := range 3 {
		if rewritten(time.Second) {
			t.Errorf("request %d a second later: the cookie was rewritten again", i+1)
		}
	}
	if !rewritten(2 * time.Minute) {
		t.Error("the cookie was not rewritten two minutes after its last rewrite")
	}
}

func TestSessionAbsoluteExpiry(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	s := auth.NewSessions(testDB(t, 42, 7), auth.Keys{"0123456789abcdef0123456789abcdef"}, false, func() time.Time { return now })
	rec := httptest.NewRecorder()
	_ = s.SignIn(rec, httptest.NewRequest("POST", "/login", nil), 7, "192.0.2.1")
	cookie := rec.Result().Cookies()[0]
	// Keep the session busy every 10 hours: it still ends after 7 days.
	for day := time.Duration(0); day < 8*24*time.Hour; day += 10 * time.Hour {
		now = now.Add(10 * time.Hour)
		r := httptest.NewRequest("GET", "/", nil)
		r.AddCookie(cookie)
		w := httptest.NewRecorder()
		_, ok := s.UserID(w, r)
		if fresh := w.Result().Cookies(); len(fresh) > 0 && fresh[0].MaxAge >= 0 {
			cookie = fresh[0]
		}
		if elapsed := day + 10*time.Hour; ok != (elapsed <= auth.AbsoluteTimeout) {
			t.Fatalf("after %s: signed in = %v", elapsed, ok)
		}
	}
}

// testDB is a migrated database in a temporary file holding users with the ids given.
func testDB(t *testing.T, ids ...int64) *sql.DB {
	t.Helper()
	conn, err := db.Open(context.Background(), filepath.Join(t.TempDir(), "ladder.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	for _, id := range ids {
		if _, err := conn.Exec(`INSERT INTO users (id, name, created_at, updated_at) VALUES (?, ?, ?, ?)`,
			id, fmt.Sprint("user-", id), time.Now().UTC(), time.Now().UTC()); err != nil {
			t.Fatal(err)
		}
	}
	return conn
}

func TestEndedSessionSignsNobodyIn(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	s := auth.NewSessions(testDB(t, 42), auth.Keys{"0123456789abcdef0123456789abcdef"}, false, func() time.Time { return now })
	signIn := func() *http.Cookie {
		rec := httptest.NewRecorder()
		if err := s.SignIn(rec, httptest.NewRequest("POST", "/login", nil), 42, "192.0.2.1"); err != nil {
			t.Fatal(err)
		}
		return rec.Result().Cookies()[0]
	}
	ask := func(c *http.Cookie) bool {
		r := httptest.NewRequest("GET", "/", nil)
		r.AddCookie(c)
		_, ok := s.UserID(httptest.NewRecorder(), r)
		return ok
	}
	a, b, c := signIn(), signIn(), signIn()
	if !ask(a) || !ask(b) || !ask(c) {
		t.Fatal("fresh sessions do not sign in")
	}
	out := httptest.NewRequest("POST", "/logout", nil)
	out.AddCookie(a)
	if err := s.SignOut(httptest.NewRecorder(), out); err != nil {
		t.Fatal(err)
	}
	if ask(a) {
		t.Errorf("a copy of a signed-out cookie still signs in")
	}
	if !ask(b) {
		t.Errorf("signing out one session ended another")
	}
	r := httptest.NewRequest("GET", "/account", nil)
	r.AddCookie(b)
	list, err := s.List(r, 42)
	if err != nil || len(list) != 2 || !slices.ContainsFunc(list, func(x auth.Session) bool { return x.Current }) {
		t.Fatalf("sessions listed: %+v, %v; want 2, one of them current", list, err)
	}
	if err := s.EndAll(context.Background(), 42, "user-42", "test"); err != nil {
		t.Fatal(err)
	}
	if ask(b) || ask(c) {
		t.Errorf("sessions still sign in after all were ended")
	}
}
