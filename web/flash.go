package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"unicode"
)

// flashCookie carries a confirmation ("Saved environment dev") from a successful POST to the
// page it redirects to, which shows it once.
const flashCookie = "ladder_flash"

// flashMax bounds a confirmation's length; a longer cookie value is not shown.
const flashMax = 200

type flashKey struct{}

// redirectFlash redirects like redirect, and the page it leads to confirms with message.
func redirectFlash(w http.ResponseWriter, r *http.Request, target, message string) error {
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: url.QueryEscape(message), Path: "/", MaxAge: 60,
		HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode})
	return redirect(w, r, target)
}

// takeFlash hands a pending confirmation to the next full page the browser loads and clears
// it, so it is shown once. Fragments, event streams, static files and the API leave it for
// the page.
func takeFlash(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !mayCarry(r, flashCookie) || !pageRequest(r) {
			next.ServeHTTP(w, r)
			return
		}
		c, err := r.Cookie(flashCookie)
		if err != nil {
			next.ServeHTTP(w, r)
			return
		}
		http.SetCookie(w, &http.Cookie{Name: flashCookie, Path: "/", MaxAge: -1, HttpOnly: true,
			Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode})
		if msg, err := url.QueryUnescape(c.Value); err == nil && printable(msg) {
			r = r.WithContext(context.WithValue(r.Context(), flashKey{}, msg))
		}
		next.ServeHTTP(w, r)
	})
}

// mayCarry reports whether r may carry the cookie name: false spares parsing every cookie the
// request carries to look for one that nearly no request has (a confirmation, a change's
// version).
func mayCarry(r *http.Request, name string) bool {
	for _, v := range r.Header["Cookie"] {
		if strings.Contains(v, name) {
			return true
		}
	}
	return false
}

// pageRequest reports a browser loading a full page.
func pageRequest(r *http.Request) bool {
	return r.Method == http.MethodGet && r.Header.Get("HX-Request") == "" && !isAPI(r) &&
		!strings.HasPrefix(r.URL.Path, "/static/") && !strings.Contains(r.Header.Get("Accept"), "text/event-stream")
}

// printable accepts a short message of printable characters only: a cookie set by anyone but
// Ladder shows nothing odd.
func printable(s string) bool {
	if s == "" || len(s) > flashMax {
		return false
	}
	for _, c := range s {
		if !unicode.IsPrint(c) {
			return false
		}
	}
	return true
}

// flash returns the confirmation takeFlash found for this request, if any.
func flash(r *http.Request) string {
	msg, _ := r.Context().Value(flashKey{}).(string)
	return msg
}
