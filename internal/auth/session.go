// Package auth signs people in: the session cookie, single sign-on with OpenID Connect, the
// keys the cookie is sealed with, and the rate limit on password attempts. Who the people are
// and what they may do is the user package's business.
package auth

import (
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/sessions"

	"ladder/db"
)

// CookieName is the name of Ladder's session cookie.
const CookieName = "ladder_session"

// Session lifetimes: a session ends after IdleTimeout without a request, and after
// AbsoluteTimeout whatever happens.
const (
	IdleTimeout     = 12 * time.Hour
	AbsoluteTimeout = 7 * 24 * time.Hour
)

// seenEvery is how stale the last-seen time may get before the cookie is written again; it
// keeps most requests from setting a cookie.
const seenEvery = time.Minute

// Session value keys.
const (
	keyUser     = "uid"
	keyID       = "sid"
	keyCreated  = "created"
	keySeen     = "seen"
	keyState    = "state"
	keyNonce    = "nonce"
	keyVerifier = "verifier"
	keyNext     = "next"
)

// Sessions reads and writes the session cookie: sealed (authenticated and encrypted),
// HttpOnly, SameSite=Lax, Secure when Ladder is served over https. The expiry is checked on
// the server from timestamps inside the cookie, not left to the browser, and each session
// has a record in the database: a cookie whose record was deleted signs nobody in.
type Sessions struct {
	store *sessions.CookieStore
	now   func() time.Time
	db    *sql.DB
	q     *db.Queries

	mu     sync.Mutex
	opened map[string]openedCookie // by the cookie's value
	// live keeps the user each session id's record names while no session is written
	// (db.VersionOf): a sign-out, or a user's deletion, whose sessions go with it, asks
	// again at once.
	live *db.Memo[string, int64]
}

// openedCookie is what UserID reads from a session cookie. Opening a cookie (check its MAC,
// decrypt, decode) costs more CPU than serving a page from the cache, and a browser sends the
// same cookie until it is rewritten, so UserID remembers the cookies it opened. The timestamps
// are still checked at every request.
type openedCookie struct {
	id, created, seen int64
	sid               string
}

// openedMax bounds the remembered cookies; when full, they are forgotten all at once.
const openedMax = 16384

// NewSessions returns Sessions sealed with keys (the first seals, all open: see SessionKeys),
// their records kept in conn.
func NewSessions(conn *sql.DB, keys Keys, secure bool, now func() time.Time) *Sessions {
	store := sessions.NewCookieStore(keys.pairs()...)
	store.Options = &sessions.Options{Path: "/", HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode}
	store.MaxAge(int(AbsoluteTimeout / time.Second))
	return &Sessions{store: store, now: now, db: conn, q: db.New(conn),
		opened: map[string]openedCookie{}, live: db.NewMemo[string, int64](db.VersionOf(conn, "sessions"), now)}
}

// UserID returns the signed-in user's id, or false when nobody is signed in or the session
// expired (an expired session's cookie is cleared).
func (s *Sessions) UserID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	value, ok := sentCookie(r, CookieName)
	if !ok {
		return 0, false
	}
	s.mu.Lock()
	o, known := s.opened[value]
	s.mu.Unlock()
	if !known {
		sess, err := s.store.New(r, CookieName)
		if err != nil || sess.IsNew {
			return 0, false
		}
		o.id, _ = sess.Values[keyUser].(int64)
		o.created, _ = sess.Values[keyCreated].(int64)
		o.seen, _ = sess.Values[keySeen].(int64)
		o.sid, _ = sess.Values[keyID].(string)
		if o.id == 0 {
			return 0, false
		}
		s.mu.Lock()
		if len(s.opened) >= openedMax {
			clear(s.opened)
		}
		s.opened[strings.Clone(value)] = o // not the whole header's memory
		s.mu.Unlock()
	}
	now := s.now()
	if now.Sub(time.Unix(o.created, 0)) > AbsoluteTimeout || now.Sub(time.Unix(o.seen, 0)) > IdleTimeout ||
		!s.alive(r.Context(), o.sid, o.id) {
		_ = s.clear(w, r)
		return 0, false
	}
	if now.Sub(time.Unix(o.seen, 0)) > seenEvery {
		if sess, err := s.store.New(r, CookieName); err == nil && !sess.IsNew {
			sess.Values[keySeen] = now.Unix()
			if s.store.Save(r, w, sess) == nil { // a failed refresh only shortens the idle window
				// The cookie as sent was seen now too: a client that does not take the new
				// one (a script, a load tool) would otherwise get it written again, sealed
				// anew, at every request.
				o.seen = now.Unix()
				s.mu.Lock()
				s.opened[strings.Clone(value)] = o
				s.mu.Unlock()
			}
		}
	}
	return o.id, true
}

// sentCookie returns the value of the first cookie named name that r carries, as sent. It
// finds what http.Request.Cookie does without parsing and checking every byte of every
// cookie: the value serves only as the key of a cookie opened before, and one not known is
// opened by the cookie store, which reads the request itself.
func sentCookie(r *http.Request, name string) (string, bool) {
	for _, line := range r.Header["Cookie"] {
		for part := range strings.SplitSeq(line, ";") {
			// A name without "=" is a cookie with an empty value, to net/http too.
			if v, ok := strings.CutPrefix(strings.TrimSpace(part), name); ok && (v == "" || v[0] == '=') {
				return strings.TrimPrefix(v, "="), true
			}
		}
	}
	return "", false
}

// SignIn starts a fresh session for userID, coming from address, and records it. Nothing of
// the previous session survives — any sign-in flow state included — and the session gets a new
// random id, so a cookie planted before sign-in is worth nothing after it.
func (s *Sessions) SignIn(w http.ResponseWriter, r *http.Request, userID int64, address string) error {
	sid := rand.Text()
	if err := s.record(r, sid, userID, address); err != nil {
		return err
	}
	sess := sessions.NewSession(s.store, CookieName)
	opts := *s.store.Options
	sess.Options = &opts
	now := s.now().Unix()
	sess.Values[keyUser] = userID
	sess.Values[keyID] = sid
	sess.Values[keyCreated] = now
	sess.Values[keySeen] = now
	return s.store.Save(r, w, sess)
}

// SignOut ends the session: its record is deleted (a copy of the cookie signs nobody in) and
// the browser is told to drop the cookie.
func (s *Sessions) SignOut(w http.ResponseWriter, r *http.Request) error {
	if sid := s.sessionID(r); sid != "" {
		if err := s.q.DeleteSessionByHash(r.Context(), hashID(sid)); err != nil {
			return fmt.Errorf("end session: %w", err)
		}
	}
	return s.clear(w, r)
}

func (s *Sessions) clear(w http.ResponseWriter, r *http.Request) error {
	sess := sessions.NewSession(s.store, CookieName)
	opts := *s.store.Options
	opts.MaxAge = -1
	sess.Options = &opts
	return s.store.Save(r, w, sess)
}

// Flow is the state of one single sign-on attempt, kept in the session between sending the
// browser to the identity provider and its return.
type Flow struct {
	State    string // echoed back by the provider; checked against CSRF on the callback
	Nonce    string // must come back inside the ID token; checked against replayed tokens
	Verifier string // the PKCE code verifier
	Next     string // where to go after signing in
}

// ErrNoFlow means the callback arrived without a sign-in attempt in this browser's session.
var ErrNoFlow = errors.New("no single sign-on attempt in progress")

// BeginFlow stores f in a new pre-sign-in session, replacing whatever the cookie held.
func (s *Sessions) BeginFlow(w http.ResponseWriter, r *http.Request, f Flow) error {
	sess := sessions.NewSession(s.store, CookieName)
	opts := *s.store.Options
	opts.MaxAge = int((10 * time.Minute) / time.Second)
	sess.Options = &opts
	sess.Values[keyState], sess.Values[keyNonce] = f.State, f.Nonce
	sess.Values[keyVerifier], sess.Values[keyNext] = f.Verifier, f.Next
	sess.Values[keyCreated] = s.now().Unix()
	return s.store.Save(r, w, sess)
}

// Flow returns the sign-in attempt stored by BeginFlow. It may be used once: the caller signs
// in (which replaces the session) or fails.
func (s *Sessions) Flow(r *http.Request) (Flow, error) {
	sess, err := s.store.New(r, CookieName)
	if err != nil || sess.IsNew {
		return Flow{}, ErrNoFlow
	}
	var f Flow
	f.State, _ = sess.Values[keyState].(string)
	f.Nonce, _ = sess.Values[keyNonce].(string)
	f.Verifier, _ = sess.Values[keyVerifier].(string)
	f.Next, _ = sess.Values[keyNext].(string)
	created, _ := sess.Values[keyCreated].(int64)
	if f.State == "" || s.now().Sub(time.Unix(created, 0)) > 10*time.Minute {
		return Flow{}, ErrNoFlow
	}
	return f, nil
}
