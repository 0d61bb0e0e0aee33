package e2e

import (
	"context"
	"io"
	"net"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mxschmitt/playwright-go"

	"ladder/internal/environment"
)

// TestReconnectEndsLikeAFreshLoad: the browser reaches Ladder through a TCP relay the test
// controls. With the release page open, the relay cuts every connection (the event stream
// dies mid-release) and refuses new ones while the release moves on; then it lets the browser
// back in. The page reconnects by itself and must end identical to a freshly loaded page: the
// same release body, every activity entry once, none missing.
func TestReconnectEndsLikeAFreshLoad(t *testing.T) {
	srv := startServer(t)
	dev, prod := newGitRepo(t, "shop-dev", "6.0.0"), newGitRepo(t, "shop-prod", "5.9.0")
	envs := seedModel(t, srv, dev, prod)
	_, err := envs.Freeze(context.Background(), "prod", environment.FreezeInput{Reason: "maintenance"})
	must(t, err, "freeze prod")
	relay := startRelay(t, strings.TrimPrefix(srv.URL, "http://"))
	page := newPageAt(t, "http://"+relay.addr())
	signInAsAdmin(t, page)
	_, err = page.Goto("/promote?product=shop&to=prod")
	must(t, err, "open the promote dialog as a page")
	must(t, page.GetByTestId("confirm-promote").Click(), "promote")
	must(t, page.WaitForURL("**/releases/*"), "arrive on the release page")
	must(t, expect.Locator(page.GetByTestId("blocker-prod")).ToContainText("maintenance"), "waiting on the freeze")
	_, err = page.Evaluate("window.__sameDocument = true")
	must(t, err, "mark the document")

	relay.cut()
	_, err = envs.Unfreeze(context.Background(), "prod")
	must(t, err, "unfreeze prod")
	time.Sleep(2 * time.Second) // the release finishes while the page is cut off
	if got := mustText(t, page.GetByTestId("release-status")); !strings.Contains(got, "running") && !strings.Contains(got, "queued") {
		t.Fatalf("the cut page shows %q; want it still showing the state from before the cut", got)
	}
	relay.restore()

	must(t, expect.Locator(page.GetByTestId("release-status")).ToContainText("succeeded", playwright.LocatorAssertionsToContainTextOptions{Timeout: playwright.Float(30_000)}), "the reconnected page catches up")
	if same, _ := page.Evaluate("window.__sameDocument === true"); same != true {
		t.Fatalf("the page reloaded; want it to reconnect its event stream in place")
	}
	relay.mu.Lock()
	resumed := relay.resume
	relay.mu.Unlock()
	if resumed == 0 {
		t.Errorf("no event-stream request came back with Last-Event-ID; want the browser to resume where it was")
	}
	live, err := page.GetByTestId("release-body").InnerHTML()
	must(t, err, "read the live page")
	fresh := newPageAt(t, srv.URL)
	signInAsAdmin(t, fresh)
	_, err = fresh.Goto(strings.Replace(page.URL(), "http://"+relay.addr(), srv.URL, 1))
	must(t, err, "load the release page afresh")
	loaded, err := fresh.GetByTestId("release-body").InnerHTML()
	must(t, err, "read the fresh page")
	if normalize(live) != normalize(loaded) {
		t.Errorf("the reconnected page differs from a fresh load:\nlive:  %s\nfresh: %s", normalize(live), normalize(loaded))
	}
	ids := eventIDs(t, page) // grouped by subject, so sorted only within a group
	sorted := slices.Sorted(slices.Values(ids))
	if len(ids) < 4 || len(slices.Compact(sorted)) != len(ids) {
		t.Errorf("got activity entries %v, want each event once", ids)
	}
}

func mustText(t *testing.T, l playwright.Locator) string {
	t.Helper()
	s, err := l.InnerText()
	must(t, err, "read text")
	return s
}

// htmxMarks are the classes htmx puts on content for a few milliseconds while it swaps.
var htmxMarks = regexp.MustCompile(` ?\bhtmx-(added|settling|swapping)\b`)

// normalize drops the whitespace between tags and htmx's passing swap classes, which say
// nothing about the content.
func normalize(html string) string {
	html = htmxMarks.ReplaceAllString(strings.Join(strings.Fields(html), " "), "")
	return strings.ReplaceAll(html, ` class=""`, "") // what htmx leaves once its swap classes are gone
}

func eventIDs(t *testing.T, page playwright.Page) []string {
	t.Helper()
	items, err := page.GetByTestId("release-events").Locator("li").All()
	must(t, err, "list activity")
	var ids []string
	for _, li := range items {
		id, err := li.GetAttribute("data-event-id")
		must(t, err, "read an event id")
		ids = append(ids, strings.Repeat("0", 8-len(id))+id) // sortable as text
	}
	return ids
}

// newPageAt opens a fresh browser context at baseURL. Like newPage it fails t on console
// errors, except the one htmx logs when an event stream is cut ("[object Event]"), which this
// test causes on purpose.
func newPageAt(t *testing.T, baseURL string) playwright.Page {
	t.Helper()
	bctx, err := browser.NewContext(playwright.BrowserNewContextOptions{BaseURL: playwright.String(baseURL)})
	must(t, err, "new browser context")
	page, err := bctx.NewPage()
	must(t, err, "new page")
	var mu sync.Mutex
	var errs []string
	page.OnConsole(func(m playwright.ConsoleMessage) {
		text := m.Text()
		if m.Type() == "error" && text != "[object Event]" && !strings.Contains(text, "Failed to load resource") {
			mu.Lock()
			errs = append(errs, text)
			mu.Unlock()
		}
	})
	page.SetDefaultTimeout(15_000)
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		for _, e := range errs {
			t.Errorf("browser console error: %s", e)
		}
		_ = bctx.Close()
	})
	return page
}

// relay forwards TCP connections to a target until cut, which closes every connection and
// refuses new ones (they are accepted and closed at once) until restore.
type relay struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	open   map[net.Conn]bool
	down   bool
	resume int // event-stream requests that carried Last-Event-ID
}

// sniffer notes an event-stream request that resumes with Last-Event-ID (headers arrive in
// the first bytes of a connection, in plain HTTP/1.1).
func (r *relay) sniffer() io.Writer {
	return writerFunc(func(p []byte) (int, error) {
		head := strings.ToLower(string(p))
		if strings.Contains(head, "/events http/1.1") && strings.Contains(head, "\r\nlast-event-id: ") {
			r.mu.Lock()
			r.resume++
			r.mu.Unlock()
		}
		return len(p), nil
	})
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

func startRelay(t *testing.T, target string) *relay {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err, "listen")
	r := &relay{ln: ln, target: target, open: map[net.Conn]bool{}}
	t.Cleanup(func() { ln.Close(); r.cut() })
	go r.serve()
	return r
}

func (r *relay) addr() string { return r.ln.Addr().String() }

func (r *relay) serve() {
	for {
		c, err := r.ln.Accept()
		if err != nil {
			return
		}
		r.mu.Lock()
		if r.down {
			r.mu.Unlock()
			c.Close()
			continue
		}
		r.mu.Unlock()
		go r.forward(c)
	}
}

func (r *relay) forward(c net.Conn) {
	up, err := net.Dial("tcp", r.target)
	if err != nil {
		c.Close()
		return
	}
	r.track(c, up)
	go func() { _, _ = io.Copy(up, io.TeeReader(c, r.sniffer())); up.Close() }()
	_, _ = io.Copy(c, up)
	c.Close()
}

func (r *relay) track(conns ...net.Conn) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, c := range conns {
		if r.down {
			c.Close()
		}
		r.open[c] = true
	}
}

func (r *relay) cut() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.down = true
	for c := range r.open {
		c.Close()
	}
	clear(r.open)
}

func (r *relay) restore() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.down = false
}
