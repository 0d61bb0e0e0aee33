package web

import (
	"net/http"
	"time"

	"ladder/internal/metrics"
)

// serveMetrics answers Prometheus scrapes (404 when the server was built without metrics).
func serveMetrics(m *metrics.Metrics) http.Handler {
	if m == nil {
		return http.NotFoundHandler()
	}
	return m.Handler()
}

// measureRequests times every request by the route pattern that matched. It must wrap the
// mux directly (with no request copy in between) to read the pattern the mux set.
func measureRequests(m *metrics.Metrics, next http.Handler) http.Handler {
	if m == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		m.ObserveRequest(r.Method, r.Pattern, sw.status, time.Since(start))
	})
}
