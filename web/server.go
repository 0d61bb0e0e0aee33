// Package web is Ladder's HTTP layer: routing, middleware, and the handlers that turn requests
// into calls on the domain services and render views.
package web

import (
	"log/slog"
	"net/http"
	"time"
)

// NewHandler returns Ladder's whole HTTP handler: the routes behind recovery, request logging,
// security headers, cross-origin protection for every state-changing request, the body
// limit of each route's class and the confirmation a redirect leaves for the next page.
func NewHandler(log *slog.Logger, s Services) http.Handler {
	mux := http.NewServeMux()
	protect := guard(log, s)
	for _, rt := range routes(log, s) {
		mux.Handle(rt.pattern, limitBody(bodyLimit(rt.pattern), protect(rt.access, rt.handler)))
	}
	csrf := http.NewCrossOriginProtection()
	var h http.Handler = csrf.Handler(mux)
	h = takeFlash(h)
	h = noteWrites(s.Version, h)
	h = measureRequests(s.Metrics, h) // reads the pattern the mux sets on this very request
	h = markDemo(s.Demo != nil, h)
	h = markDiskFull(s.DiskFree, s.Now, h)
	h = securityHeaders(h)
	h = logRequests(log, h)
	return recoverPanics(log, h)
}

// contentSecurityPolicy allows only Ladder's own scripts and styles: no inline script, no
// framing.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'"

// securityHeader is the headers securityHeaders gives every answer, built once: each answer
// shares these values (a header set later replaces its value rather than changing it).
var securityHeader = http.Header{
	"Content-Security-Policy": {contentSecurityPolicy},
	"X-Content-Type-Options":  {"nosniff"},
	"Referrer-Policy":         {"same-origin"},
	"X-Frame-Options":         {"DENY"},
	// Pages show what a signed-in user may see: no cache keeps them after sign-out.
	// Static files replace this with their own caching.
	"Cache-Control": {"no-store"},
}

func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		for k, v := range securityHeader {
			h[k] = v
		}
		next.ServeHTTP(w, r)
	})
}

// logRequests logs every request at debug level, when that level is on.
func logRequests(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !log.Enabled(r.Context(), slog.LevelDebug) {
			next.ServeHTTP(w, r)
			return
		}
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		log.DebugContext(r.Context(), "request", "method", r.Method, "path", r.URL.Path,
			"status", sw.status, "duration", time.Since(start))
	})
}

func recoverPanics(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil && v != http.ErrAbortHandler {
				log.ErrorContext(r.Context(), "panic in handler", "method", r.Method, "path", r.URL.Path, "panic", v)
				http.Error(w, "Internal Server Error", http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// statusWriter remembers the status code for the request log. Unwrap lets
// http.ResponseController reach the real writer (flushing, deadlines for event streams).
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
