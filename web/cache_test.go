package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/a-h/templ"
)

func TestRenderCacheServesOnlyWhatIsCurrent(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	var version atomic.Uint64
	c := newRenderCache(version.Load, func() time.Time { return now })
	fills := 0
	fill := func() (rendering, error) {
		fills++
		return rendering{id: int64(fills), body: []byte(fmt.Sprint("page ", fills))}, nil
	}
	get := func() string {
		t.Helper()
		out, err := c.get("k", fill)
		if err != nil {
			t.Fatal(err)
		}
		return string(out.body)
	}
	steps := []struct {
		name   string
		before func()
		want   string
	}{
		{"first view renders", func() {}, "page 1"},
		{"second view is served", func() {}, "page 1"},
		{"a write anywhere renders again", func() { version.Add(1) }, "page 2"},
		{"just inside the time limit is served", func() { now = now.Add(cacheTTL - time.Millisecond) }, "page 2"},
		{"past the time limit renders again", func() { now = now.Add(time.Millisecond) }, "page 3"},
	}
	for _, s := range steps {
		s.before()
		if got := get(); got != s.want {
			t.Errorf("%s: got %q, want %q", s.name, got, s.want)
		}
	}
	if _, err := c.get("other", fill); err != nil || fills != 4 {
		t.Errorf("another key: %d fills, err %v; want its own rendering", fills, err)
	}
}

func TestRenderCacheRendersOnceForManyAtOnce(t *testing.T) {
	c := newRenderCache(func() uint64 { return 1 }, time.Now)
	var fills atomic.Int32
	release := make(chan struct{})
	fill := func() (rendering, error) {
		fills.Add(1)
		<-release
		return rendering{id: 7, body: []byte("shared")}, nil
	}
	const callers = 200
	var wg sync.WaitGroup
	results := make(chan string, callers)
	for range callers {
		wg.Go(func() {
			out, err := c.get("release 1", fill)
			if err != nil {
				t.Error(err)
			}
			results <- string(out.body)
		})
	}
	time.Sleep(50 * time.Millisecond) // let them queue behind the first
	close(release)
	wg.Wait()
	close(results)
	for r := range results {
		if r != "shared" {
			t.Fatalf("a caller got %q", r)
		}
	}
	if n := fills.Load(); n != 1 {
		t.Errorf("%d renderings for %d callers of one unchanged key, want 1", n, callers)
	}
}

func TestRenderCacheDoesNotKeepFailures(t *testing.T) {
	c := newRenderCache(func() uint64 { return 1 }, time.Now)
	boom := errors.New("boom")
	if _, err := c.get("k", func() (rendering, error) { return rendering{}, boom }); !errors.Is(err, boom) {
		t.Fatalf("got %v, want the fill's error", err)
	}
	out, err := c.get("k", func() (rendering, error) { return rendering{body: []byte("ok")}, nil })
	if err != nil || string(out.body) != "ok" {
		t.Fatalf("after a failure: %q, %v; want a fresh rendering", out.body, err)
	}
}

func TestRenderCacheStaysWithinItsMemory(t *testing.T) {
	c := newRenderCache(func() uint64 { return 1 }, time.Now)
	big := make([]byte, 1<<20)
	for i := range 3 * cacheBytes / len(big) {
		if _, err := c.get(fmt.Sprint("page ", i), func() (rendering, error) { return rendering{body: big}, nil }); err != nil {
			t.Fatal(err)
		}
		if c.size > cacheBytes {
			t.Fatalf("after %d pages the cache holds %d bytes, more than %d", i+1, c.size, cacheBytes)
		}
	}
}

// TestRenderCacheKeepsWhatIsServedThroughOneOffs: when URLs asked for once fill the cache,
// they make room for each other, and a page that many were served, outdated by a write a
// moment ago, keeps serving through the coalescing window instead of being rendered again
// for everyone at once.
func TestRenderCacheKeepsWhatIsServedThroughOneOffs(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	var version atomic.Uint64
	c := newRenderCache(version.Load, func() time.Time { return now })
	fills := 0
	popular := func() (rendering, error) {
		fills++
		return rendering{body: []byte(fmt.Sprint("list ", fills))}, nil
	}
	for range 3 {
		if _, err := c.lookup("list", want{page: true}, popular); err != nil {
			t.Fatal(err)
		}
	}
	version.Add(1)
	big := make([]byte, 1<<20)
	for i := range 2 * cacheBytes / len(big) {
		if _, err := c.lookup(fmt.Sprint("list?fresh=", i), want{page: true}, func() (rendering, error) { return rendering{body: big}, nil }); err != nil {
			t.Fatal(err)
		}
		if c.size > cacheBytes {
			t.Fatalf("after %d one-off pages the cache holds %d bytes, more than %d", i+1, c.size, cacheBytes)
		}
	}
	now = now.Add(coalesce / 2)
	out, err := c.lookup("list", want{page: true}, popular)
	if err != nil || string(out.body) != "list 1" || fills != 1 {
		t.Errorf("got %q (%d renderings, err %v), want the first rendering still served", out.body, fills, err)
	}
}

func TestRenderCacheSurvivesAPanickingFill(t *testing.T) {
	c := newRenderCache(func() uint64 { return 1 }, time.Now)
	func() {
		defer func() { _ = recover() }()
		_, _ = c.get("k", func() (rendering, error) { panic("template bug") })
	}()
	done := make(chan string)
	go func() {
		out, _ := c.get("k", func() (rendering, error) { return rendering{body: []byte("ok")}, nil })
		done <- string(out.body)
	}()
	select {
	case got := <-done:
		if got != "ok" {
			t.Errorf("after a panicking fill: got %q, want a fresh rendering", got)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the next caller waited for a fill that had panicked")
	}
}

// TestRenderCacheServesThePreviousPageWhileRendering: after a write, the request that renders
// the page anew pays for it; pages asked for meanwhile get the previous rendering at once, but
// only one begun less than staleFor ago, and an event rendering (get) always waits for the
// current one.
func TestRenderCacheServesThePreviousPageWhileRendering(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	var version atomic.Uint64
	c := newRenderCache(version.Load, clock)
	page := func(body string) func() (rendering, error) {
		return func() (rendering, error) { return rendering{body: []byte(body)}, nil }
	}
	if _, err := c.lookup("k", want{page: true}, page("before")); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	now = now.Add(coalesce)
	mu.Unlock()
	version.Add(1)
	started, release := make(chan struct{}), make(chan struct{})
	done := make(chan string)
	go func() {
		out, _ := c.lookup("k", want{page: true}, func() (rendering, error) {
			close(started)
			<-release
			return rendering{body: []byte("after")}, nil
		})
		done <- string(out.body)
	}()
	<-started
	if out, err := c.lookup("k", want{page: true}, page("unwanted")); err != nil || string(out.body) != "before" {
		t.Errorf("a page while rendering: got %q (%v), want the previous rendering", out.body, err)
	}
	waited := make(chan string)
	go func() {
		out, _ := c.get("k", page("unwanted"))
		waited <- string(out.body)
	}()
	select {
	case got := <-waited:
		t.Errorf("an event rendering did not wait: got %q", got)
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	if got := <-done; got != "after" {
		t.Errorf("the rendering request: got %q, want its own", got)
	}
	if got := <-waited; got != "after" {
		t.Errorf("the waiting event rendering: got %q, want the current one", got)
	}

	// A previous rendering begun staleFor ago or more is not served: the page waits.
	mu.Lock()
	now = now.Add(staleFor)
	mu.Unlock()
	version.Add(1)
	started, release = make(chan struct{}), make(chan struct{})
	go func() {
		out, _ := c.lookup("k", want{page: true}, func() (rendering, error) {
			close(started)
			<-release
			return rendering{body: []byte("latest")}, nil
		})
		done <- string(out.body)
	}()
	<-started
	go func() {
		out, _ := c.lookup("k", want{page: true}, page("unwanted"))
		waited <- string(out.body)
	}()
	select {
	case got := <-waited:
		t.Errorf("a page got a rendering %s old: %q", staleFor, got)
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	if <-done != "latest" || <-waited != "latest" {
		t.Errorf("want both to get the latest rendering")
	}
}

// TestRenderCacheCoalescesPageRenderings: while the data keeps moving, a page's rendering
// serves for coalesce after the write, except to the viewer who wrote; event renderings are
// always current.
func TestRenderCacheCoalescesPageRenderings(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	var version atomic.Uint64
	c := newRenderCache(version.Load, func() time.Time { return now })
	fills := 0
	fill := func() (rendering, error) {
		fills++
		return rendering{body: []byte(fmt.Sprint("page ", fills))}, nil
	}
	lookup := func(w want) string {
		t.Helper()
		out, err := c.lookup("k", w, fill)
		if err != nil {
			t.Fatal(err)
		}
		return string(out.body)
	}
	steps := []struct {
		name   string
		before func()
		w      want
		want   string
	}{
		{"first view renders", func() {}, want{page: true}, "page 1"},
		{"a write by someone else: the page keeps serving", func() { version.Add(1); now = now.Add(100 * time.Millisecond) },
			want{page: true}, "page 1"},
		{"more writes inside the window: still served", func() { version.Add(5); now = now.Add(coalesce - 200*time.Millisecond) },
			want{page: true}, "page 1"},
		{"the viewer who wrote gets a rendering that includes the write", func() {}, want{page: true, floor: 6}, "page 2"},
		{"which now serves the others", func() {}, want{page: true}, "page 2"},
		{"an event rendering wants the current data", func() { version.Add(1) }, want{}, "page 3"},
		{"a write past the window renders again", func() { now = now.Add(coalesce); version.Add(1) }, want{page: true}, "page 4"},
		{"a floor above anything written renders every time", func() {}, want{page: true, floor: 1 << 40}, "page 5"},
		{"what it shows from outside the database changed: served inside the window", func() { now = now.Add(100 * time.Millisecond) },
			want{page: true, also: "git 2"}, "page 5"},
		{"and rendered again past it", func() { now = now.Add(coalesce) }, want{page: true, also: "git 2"}, "page 6"},
		{"which then serves while nothing changes", func() { now = now.Add(coalesce) }, want{page: true, also: "git 2"}, "page 6"},
		{"an event rendering wants what is current outside the database too", func() {}, want{also: "git 3"}, "page 7"},
	}
	for _, s := range steps {
		s.before()
		if got := lookup(s.w); got != s.want {
			t.Errorf("%s: got %q, want %q", s.name, got, s.want)
		}
	}
}

// TestRenderCachePageKeepsOnlyItsOwnBytes: a page renders into a buffer sized by its route's
// last rendering; a short page after a long one of the same route is kept in about its own
// size, and the cache counts what it holds.
func TestRenderCachePageKeepsOnlyItsOwnBytes(t *testing.T) {
	c := newRenderCache(func() uint64 { return 1 }, time.Now)
	show := func(target string, n int) {
		t.Helper()
		r := httptest.NewRequest(http.MethodGet, target, nil)
		r.Pattern = "GET /things/{id}"
		w := httptest.NewRecorder()
		err := c.page(w, r, "", func() (templ.Component, error) {
			return templ.Raw(strings.Repeat("x", n)), nil
		})
		if err != nil || w.Body.Len() != n {
			t.Fatalf("GET %s: %d bytes (%v), want %d", target, w.Body.Len(), err, n)
		}
	}
	show("/things/long", 100_000)
	if got := c.sizes["GET /things/{id}"]; got != 100_000 {
		t.Fatalf("the route's size is %d, want 100000", got)
	}
	before := c.size
	show("/things/short", 1000)
	held := c.size - before
	if held > 2*1000 {
		t.Errorf("the short page holds %d bytes, want at most %d", held, 2*1000)
	}
}
