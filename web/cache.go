package web

import (
	"bytes"
	"errors"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/a-h/templ"

	"ladder/internal/compress"
	"ladder/views"
)

// cacheTTL is the longest a rendering is reused even though no data changed: pages say "3 min
// ago", which moves on its own.
const cacheTTL = 5 * time.Second

// cacheBytes bounds the memory the cache holds.
const cacheBytes = 32 << 20

// renderCache keeps what was rendered for a page or an event stream, so that viewing data that
// did not change costs a map lookup instead of a dozen queries and a template. An entry serves
// while the database's write version has not moved since it was filled (a page: for coalesce
// after it moved, unless the viewer wrote since), and for at most cacheTTL. When many ask for
// the same missing entry at once (every viewer of a release after a change), one renders and
// the others wait for its bytes.
type renderCache struct {
	now     func() time.Time
	version func() uint64
	mu      sync.Mutex
	entries map[string]*cacheEntry
	size    int
	// rows keeps the releases list's rows, which most renderings of the list share.
	rows *views.RowMemo
	// sizes is how long each route's page was when last rendered, guarded by mu: the next
	// rendering starts in a buffer that size instead of growing one a few times.
	sizes map[string]int
}

type cacheEntry struct {
	version uint64
	also    string // what else the rendering was made from (renderCache.page)
	at      time.Time
	ready   chan struct{} // closed once out and err are set
	out     rendering
	err     error
	size    int         // what the entry adds to renderCache.size, set under its lock once filled
	served  int         // requests it answered besides its filler's, guarded by renderCache.mu
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
	// packed is a page's compressed form, made when first asked for.
	packed *compress.Lazy
}

// newRenderCache returns an empty cache; version tells whether anything was written since an
// entry was filled (db.Version).
func newRenderCache(version func() uint64, now func() time.Time) *renderCache {
	return &renderCache{now: now, version: version, entries: map[string]*cacheEntry{}, rows: views.NewRowMemo(), sizes: map[string]int{}}
}

// staleFor is how old a rendering a page may be served while its successor is being rendered.
const staleFor = time.Second

// coalesce is how long a page's rendering keeps serving after the data changed, to viewers
// who did not change it themselves. While promotions write many times a second, a page many
// keep open is rendered a few times a second instead of after every write; its event stream
// sends the current state as soon as it connects.
const coalesce = 500 * time.Millisecond

// want says which renderings may answer a request.
type want struct {
	// page: a page accepts a rendering up to coalesce old although the data moved, and
	// while its successor renders, the rendering it replaces (up to staleFor old). Event
	// streams want the rendering of the current data.
	page bool
	// floor is the write version the viewer's own last change reached (wroteVersion): no
	// rendering from before it answers them, so a person sees what they just did.
	floor uint64
	// also names what else than the database the wanted rendering shows (the dashboard's
	// versions read from Git): one made from another is outdated as one made before a write.
	also string
}

// serves reports whether e may answer a request wanting w while the data is at version.
func (e *cacheEntry) serves(w want, version uint64, now time.Time) bool {
	age := now.Sub(e.at)
	if age >= cacheTTL || e.version < w.floor {
		return false
	}
	return (e.version == version && e.also == w.also) || (w.page && age < coalesce)
}

// get returns the rendering under key, calling fill when there is none that is current.
func (c *renderCache) get(key string, fill func() (rendering, error)) (rendering, error) {
	return c.lookup(key, want{}, fill)
}

// lookup is get for a request wanting w.
func (c *renderCache) lookup(key string, w want, fill func() (rendering, error)) (rendering, error) {
	version, now := c.version(), c.now()
	c.mu.Lock()
	e := c.entries[key]
	if e != nil && e.serves(w, version, now) {
		e.served++
		if w.page && e.stale != nil && !e.done() && e.stale.version >= w.floor {
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
	e = &cacheEntry{version: version, also: w.also, at: now, ready: make(chan struct{}), err: errNotFilled, stale: prev}
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
			e.size = cap(e.out.body) // the memory it holds, which its buffer may exceed its length by
			c.size += e.size
			c.shrink(version, now)
		}
	}
	c.mu.Unlock()
	close(e.ready)
}

// shrink drops entries once the cache holds more than its memory, until it holds a quarter
// less (so that one that fills it up does not make every rendering after it look through the
// entries), the least useful first: those past cacheTTL, which can serve no one, and those
// that served only their filler (a stream of URLs asked for once, such as a crawler's, cannot
// push out the pages people keep open); then those the data moved past; then any. c.mu is
// held.
func (c *renderCache) shrink(version uint64, now time.Time) {
	if c.size <= cacheBytes {
		return
	}
	useless := []func(e *cacheEntry) bool{
		func(e *cacheEntry) bool { return now.Sub(e.at) >= cacheTTL || e.served == 0 },
		func(e *cacheEntry) bool { return e.version != version },
		func(*cacheEntry) bool { return true },
	}
	for _, drop := range useless {
		for key, e := range c.entries {
			if c.size <= cacheBytes*3/4 {
				return
			}
			if e.done() && drop(e) { // one still being filled is not counted yet
				c.size -= e.size
				delete(c.entries, key)
			}
		}
	}
}

// page writes the page build returns, rendered once for everyone who asks for the same URL as
// the same person while nothing changed. also names what else the page depends on that is not
// in the database (empty for most pages); when it changes the page is rendered again as after
// a write, so that viewers keep being served the rendering before it meanwhile.
func (c *renderCache) page(w http.ResponseWriter, r *http.Request, also string, build func() (templ.Component, error)) error {
	wanted := want{page: true, floor: wroteVersion(r), also: also}
	out, err := c.lookup(cacheKey("page", r, r.URL.RequestURI()), wanted, func() (rendering, error) {
		page, err := build()
		if err != nil {
			return rendering{}, err
		}
		c.mu.Lock()
		buf := bytes.NewBuffer(make([]byte, 0, c.sizes[r.Pattern]+sizeSlack))
		c.mu.Unlock()
		if err := page.Render(r.Context(), buf); err != nil {
			return rendering{}, err
		}
		c.mu.Lock()
		c.sizes[r.Pattern] = buf.Len()
		c.mu.Unlock()
		body := buf.Bytes()
		if cap(body) > 2*len(body) { // sized for a longer page of the route: keep only the page
			body = bytes.Clone(body)
		}
		return rendering{body: body, packed: &compress.Lazy{}}, nil
	})
	if err != nil {
		return err
	}
	return sendHTML(w, r, http.StatusOK, out.body, func() []byte { return out.packed.Of(out.body) })
}

// sizeSlack is room a page's buffer has beyond its route's last rendering, for a page that
// grew a little (a longer name, one more row).
const sizeSlack = 1024

// cacheKey is the render cache's key for what kind of rendering shows subject to the viewer
// of r: it names what a rendering may depend on about who views it, including the
// confirmation a page shows once. It is built in one allocation, as every request asks for
// one.
func cacheKey(kind string, r *http.Request, subject string) string {
	var buf [160]byte
	b := append(buf[:0], kind...)
	b = append(b, ' ')
	if u, ok := signedIn(r); ok {
		b = strconv.AppendInt(b, u.ID, 10)
		b = append(b, '/')
		b = strconv.AppendQuote(b, u.Name)
		b = append(b, '/')
		b = append(b, u.Role()...)
		b = append(b, '/')
		b = strconv.AppendQuote(b, flash(r))
	} else {
		b = append(b, "anonymous"...)
	}
	b = append(b, ' ')
	b = append(b, subject...)
	return string(b)
}

// wroteCookie carries the write version a browser's last change reached (noteWrites), for
// wroteFor after it.
const wroteCookie = "ladder_wrote"

// wroteFor is how long a change's version is kept: longer than any rendering it must skip
// may serve (coalesce, staleFor).
const wroteFor = 5 * time.Second

// noteWrites gives every answer to a browser's change (any method but GET and HEAD, outside
// the API) the write version reached when the answer is written, so that the pages the
// browser loads next are rendered from data that includes its change. The value only ever
// makes a page render anew; one set by hand costs what a query parameter of one's own does.
func noteWrites(version func() uint64, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet || r.Method == http.MethodHead || isAPI(r) {
			next.ServeHTTP(w, r)
			return
		}
		nw := &notingWriter{ResponseWriter: w, version: version, secure: r.TLS != nil}
		next.ServeHTTP(nw, r)
		nw.note() // a handler that wrote nothing: the headers are sent after it returns
	})
}

// notingWriter sets the wrote cookie just before the answer's headers go out.
type notingWriter struct {
	http.ResponseWriter
	version func() uint64
	secure  bool
	noted   bool
}

func (w *notingWriter) note() {
	if w.noted {
		return
	}
	w.noted = true
	http.SetCookie(w.ResponseWriter, &http.Cookie{Name: wroteCookie, Value: strconv.FormatUint(w.version(), 10),
		Path: "/", MaxAge: int(wroteFor / time.Second), HttpOnly: true, Secure: w.secure, SameSite: http.SameSiteLaxMode})
}

func (w *notingWriter) WriteHeader(code int) {
	w.note()
	w.ResponseWriter.WriteHeader(code)
}

func (w *notingWriter) Write(b []byte) (int, error) {
	w.note()
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the real writer.
func (w *notingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// wroteVersion is the write version of the viewer's last change, from the wrote cookie; zero
// when there is none.
func wroteVersion(r *http.Request) uint64 {
	if !mayCarry(r, wroteCookie) {
		return 0
	}
	c, err := r.Cookie(wroteCookie)
	if err != nil {
		return 0
	}
	v, _ := strconv.ParseUint(c.Value, 10, 64)
	return v
}
