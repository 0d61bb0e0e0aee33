package web

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/a-h/templ"
)

// cacheTTL is the longest a rendering is reused even though no data changed: pages say "3 min
// ago", which moves on its own.
const cacheTTL = 5 * time.Second

// cacheBytes bounds the memory the cache holds.
const cacheBytes = 32 << 20

// renderCache keeps what was rendered for a page or an event stream, so that viewing data that
// did not change costs a map lookup instead of a dozen queries and a template. An entry serves
// while the database's write version has not moved since it was filled, and for at most
// cacheTTL. When many ask for the same missing entry at once (every viewer of a release after
// a change), one renders and the others wait for its bytes.
type renderCache struct {
	now     func() time.Time
	version func() uint64
	mu      sync.Mutex
	entries map[string]*cacheEntry
	size    int
}

type cacheEntry struct {
	version uint64
	at      time.Time
	ready   chan struct{} // closed once out and err are set
	out     rendering
	err     error
	size    int         // what the entry adds to renderCache.size, set under its lock once filled
	stale   *cacheEntry // the rendering this one replaces, until it is filled; guarded by renderCache.mu
}

// rendering is what the cache keeps: bytes ready to write, and for event streams the newest
// event ID they include.
type rendering struct {
	id   int64
	body []byte
	// mark names what an event shows that is not in the database (the dashboard's versions
	// read from Git and statuses read from Argo CD): a stream sends a new mark even when no
	// release event is newer.
	mark string
}

// newRenderCache returns an empty cache; version tells whether anything was written since an
// entry was filled (db.Version).
func newRenderCache(version func() uint64, now func() time.Time) *renderCache {
	return &renderCache{now: now, version: version, entries: map[string]*cacheEntry{}}
}

// staleFor is how old a rendering a page may be served while its successor is being rendered.
const staleFor = time.Second

// get returns the rendering under key, calling fill when there is none that is current.
func (c *renderCache) get(key string, fill func() (rendering, error)) (rendering, error) {
	return c.lookup(key, false, fill)
}

// lookup is get; with acceptStale, a request that finds the rendering being made anew after a
// write is given the one it replaces (begun at most staleFor ago) instead of waiting for it.
// Pages accept that: their event stream sends the current state as soon as it connects.
func (c *renderCache) lookup(key string, acceptStale bool, fill func() (rendering, error)) (rendering, error) {
	version, now := c.version(), c.now()
	c.mu.Lock()
	e := c.entries[key]
	if e != nil && e.version == version && now.Sub(e.at) < cacheTTL {
		if acceptStale && e.stale != nil && !e.done() {
			out := e.stale.out
			c.mu.Unlock()
			return out, nil
		}
		c.mu.Unlock()
		<-e.ready
		if e.err != nil {
			return fill() // the filler's own failure (its request ended, say) is not ours
		}
		return e.out, nil
	}
	var prev *cacheEntry // the newest good rendering under key, to serve while this one fills
	if e != nil {
		c.size -= e.size
		prev = e.stale
		if e.done() && e.err == nil {
			prev = e
		}
		if prev != nil && now.Sub(prev.at) >= staleFor {
			prev = nil
		}
	}
	e = &cacheEntry{version: version, at: now, ready: make(chan struct{}), err: errNotFilled, stale: prev}
	c.entries[key] = e
	c.mu.Unlock()
	defer c.filled(key, e, version, now) // also when fill panics: waiters must not wait forever
	e.out, e.err = fill()
	return e.out, e.err
}

// done reports whether e's fill has returned.
func (e *cacheEntry) done() bool {
	select {
	case <-e.ready:
		return true
	default:
		return false
	}
}

// errNotFilled is an entry's error until its fill returns.
var errNotFilled = errors.New("rendering did not finish")

// filled keeps e once its fill succeeded, drops it otherwise, and lets its waiters go.
func (c *renderCache) filled(key string, e *cacheEntry, version uint64, now time.Time) {
	c.mu.Lock()
	e.stale = nil
	if c.entries[key] == e {
		if e.err != nil {
			delete(c.entries, key)
		} else {
			e.size = len(e.out.body)
			c.size += e.size
			c.shrink(version, now)
		}
	}
	c.mu.Unlock()
	close(e.ready)
}

// shrink drops entries that can no longer serve, and everything else too when that is not
// enough. c.mu is held.
func (c *renderCache) shrink(version uint64, now time.Time) {
	for _, all := range []bool{false, true} {
		if c.size <= cacheBytes {
			return
		}
		for key, e := range c.entries {
			select {
			case <-e.ready:
			default:
				continue // still being filled
			}
			if all || e.version != version || now.Sub(e.at) >= cacheTTL {
				c.size -= e.size
				delete(c.entries, key)
			}
		}
	}
}

// page writes the page build returns, rendered once for everyone who asks for the same URL as
// the same person while nothing changed. also names what else the page depends on that is not
// in the database (empty for most pages).
func (c *renderCache) page(w http.ResponseWriter, r *http.Request, also string, build func() (templ.Component, error)) error {
	out, err := c.lookup("page "+viewerKey(r)+" "+r.URL.RequestURI()+" "+also, true, func() (rendering, error) {
		page, err := build()
		if err != nil {
			return rendering{}, err
		}
		var buf bytes.Buffer
		if err := page.Render(r.Context(), &buf); err != nil {
			return rendering{}, err
		}
		return rendering{body: buf.Bytes()}, nil
	})
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(out.body)
	return err
}

// viewerKey names what a page may depend on about who views it, including the confirmation
// it shows once.
func viewerKey(r *http.Request) string {
	u, ok := signedIn(r)
	if !ok {
		return "anonymous"
	}
	return fmt.Sprintf("%d/%q/%s/%q", u.ID, u.Name, u.Role(), flash(r))
}
