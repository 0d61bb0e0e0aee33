// Package metrics exposes Ladder's Prometheus metrics: releases by status and the runner's
// queue depth (read from the database at scrape time), event-stream subscribers, promotion
// durations and HTTP request durations (observed as they happen), plus the Go runtime's.
package metrics

import (
	"context"
	"database/sql"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"ladder/db"
	"ladder/internal/release"
)

// Metrics holds Ladder's own registry (never the global one, so servers started side by side
// in tests do not share series).
type Metrics struct {
	registry   *prometheus.Registry
	requests   *prometheus.HistogramVec
	promotions *prometheus.HistogramVec
	log        *slog.Logger

	mu        sync.RWMutex
	observers map[requestSeries]prometheus.Observer // requests' series, once looked up
}

// requestSeries names one series of the request histogram.
type requestSeries struct {
	method, route string
	code          int
}

// Sources are where the scrape-time values come from.
type Sources struct {
	DB          *sql.DB
	Now         func() time.Time
	Subscribers func() int // live event-stream subscriptions (broker.Subscribers)
	// UnreadableRepositories counts Git repositories whose last fetch failed
	// (gitops.Store.Unreadable); nil reads as 0.
	UnreadableRepositories func() int
}

// statuses are every release status, so each series exists from the first scrape on.
var statuses = []string{release.Queued, release.Running, release.Suspended, release.Succeeded,
	release.Failed, release.Terminating, release.Terminated}

// New registers Ladder's metrics on a new registry.
func New(src Sources, log *slog.Logger) *Metrics {
	m := &Metrics{registry: prometheus.NewRegistry(), log: log, observers: map[requestSeries]prometheus.Observer{},
		requests: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "ladder_http_request_duration_seconds",
			Help:    "Time to answer HTTP requests, by method, route pattern and status code.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"method", "route", "code"}),
		promotions: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "ladder_promotion_duration_seconds",
			Help:    "Time the promotion action of one application took (Git fetch, edit, commit, push), by target environment and result.",
			Buckets: []float64{.05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300},
		}, []string{"environment", "result"}),
	}
	m.registry.MustRegister(m.requests, m.promotions,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		&stored{q: db.New(src.DB), now: src.Now, log: log},
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "ladder_sse_subscribers",
			Help: "Live event-stream subscriptions (release pages and lists open in browsers).",
		}, func() float64 { return float64(src.Subscribers()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "ladder_git_unreadable_repositories",
			Help: "Git repositories whose last fetch failed (server unreachable, credential refused, repository missing, host key not trusted).",
		}, func() float64 {
			if src.UnreadableRepositories == nil {
				return 0
			}
			return float64(src.UnreadableRepositories())
		}),
	)
	return m
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{
		ErrorLog: slog.NewLogLogger(m.log.Handler(), slog.LevelError), Registry: m.registry})
}

// ObserveRequest records one answered HTTP request. route is the ServeMux pattern that
// matched ("" when none did) and a method other than HTTP's own counts as "other", so the
// number of series stays bounded whatever clients send.
func (m *Metrics) ObserveRequest(method, route string, code int, took time.Duration) {
	if route == "" {
		route = "unmatched"
	}
	m.observer(requestSeries{method: knownMethod(method), route: route, code: code}).Observe(took.Seconds())
}

// observer returns the series' histogram. It is kept once looked up: looking it up by its
// label values checks and hashes them again, a few microseconds at every request.
func (m *Metrics) observer(s requestSeries) prometheus.Observer {
	m.mu.RLock()
	o, ok := m.observers[s]
	m.mu.RUnlock()
	if ok {
		return o
	}
	o = m.requests.WithLabelValues(s.method, s.route, strconv.Itoa(s.code))
	m.mu.Lock()
	m.observers[s] = o
	m.mu.Unlock()
	return o
}

func knownMethod(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return method
	}
	return "other"
}

// ObservePromotion records how long one application's promotion action into environment took.
func (m *Metrics) ObservePromotion(environment string, failed bool, took time.Duration) {
	result := "succeeded"
	if failed {
		result = "failed"
	}
	m.promotions.WithLabelValues(environment, result).Observe(took.Seconds())
}

// stored collects the values read from the database at scrape time.
type stored struct {
	q   *db.Queries
	now func() time.Time
	log *slog.Logger
}

var (
	releasesDesc = prometheus.NewDesc("ladder_releases", "Releases by status.", []string{"status"}, nil)
	jobsDueDesc  = prometheus.NewDesc("ladder_runner_jobs_due",
		"Runner jobs that are due and waiting for a worker (the runner's queue depth).", nil, nil)
)

func (s *stored) Describe(ch chan<- *prometheus.Desc) { ch <- releasesDesc; ch <- jobsDueDesc }

func (s *stored) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	rows, err := s.q.CountReleasesByStatus(ctx)
	if err != nil {
		s.log.Error("metrics: count releases", "err", err)
		ch <- prometheus.NewInvalidMetric(releasesDesc, err)
	} else {
		counts := map[string]int64{}
		for _, r := range rows {
			counts[r.Status] = r.Releases
		}
		for _, st := range statuses {
			ch <- prometheus.MustNewConstMetric(releasesDesc, prometheus.GaugeValue, float64(counts[st]), st)
		}
	}
	now := s.now().UTC()
	due, err := s.q.CountJobsDue(ctx, db.CountJobsDueParams{RunAfter: now, LeaseUntil: sql.NullTime{Time: now, Valid: true}})
	if err != nil {
		s.log.Error("metrics: count due jobs", "err", err)
		ch <- prometheus.NewInvalidMetric(jobsDueDesc, err)
		return
	}
	ch <- prometheus.MustNewConstMetric(jobsDueDesc, prometheus.GaugeValue, float64(due))
}
