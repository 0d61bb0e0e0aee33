package app

import (
	"context"
	"database/sql"
	"log/slog"
	"time"

	"ladder/internal/gitops"
	"ladder/internal/metrics"
	"ladder/internal/runner"
	"ladder/web"
)

// newMetrics builds the Prometheus metrics of a server. The broker is read at scrape time,
// since the runner that creates it starts after the metrics.
func newMetrics(conn *sql.DB, svc *web.Services, log *slog.Logger) *metrics.Metrics {
	return metrics.New(metrics.Sources{DB: conn, Now: svc.Now, Subscribers: func() int {
		if svc.Broker == nil {
			return 0
		}
		return svc.Broker.Subscribers()
	}, UnreadableRepositories: func() int {
		if svc.Promotions == nil || svc.Promotions.Planner().Git == nil {
			return 0
		}
		return svc.Promotions.Planner().Git.Unreadable()
	}}, log)
}

// timedGit times every promotion the runner makes (the application's action: fetch, edit,
// commit, push) into the promotion-duration histogram, without the runner knowing.
type timedGit struct {
	runner.Git
	metrics *metrics.Metrics
}

// timed wraps git so that its promotions are timed into m.
func timed(git runner.Git, m *metrics.Metrics) runner.Git {
	if m == nil {
		return git
	}
	return timedGit{Git: git, metrics: m}
}

// Promote promotes through the wrapped Git engine and records how long it took.
func (g timedGit) Promote(ctx context.Context, req gitops.PromoteRequest) (gitops.Result, error) {
	start := time.Now()
	res, err := g.Git.Promote(ctx, req)
	if ctx.Err() == nil { // a promotion cut short by shutdown says nothing about Git's speed
		g.metrics.ObservePromotion(req.TargetEnv, err != nil, time.Since(start))
	}
	return res, err
}
