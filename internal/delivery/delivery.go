// Package delivery computes a product's delivery metrics from its releases: deployment
// frequency, lead time for changes, change failure rate and time to restore. The definitions
// are in docs/decisions.md; in short, a deployment is a release environment in a production
// environment that SUCCEEDED, and a failure is one that FAILED.
package delivery

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"ladder/db"
	"ladder/internal/release"
)

// Weeks is how many weeks the metrics look back.
const Weeks = 12

// Deployment is one promotion of a product into one environment.
type Deployment struct {
	ReleaseID   string
	Number      int64
	Environment string
	Status      string
	CreatedAt   time.Time  // the release's creation
	TriggerDate *time.Time // the trigger commit's date, when known
	FinishedAt  *time.Time // when the environment reached its final status
}

// Week is one week of the window, starting Monday 00:00 UTC.
type Week struct {
	Start       time.Time
	Deployments int
	Failures    int
	LeadTime    time.Duration // median over the week's deployments; 0 when none
	Restore     time.Duration // median over the week's restored failures; 0 when none
}

// Metrics are a product's delivery metrics over the last Weeks weeks.
type Metrics struct {
	Weeks         []Week // oldest first
	Deployments   int
	PerWeek       float64
	LeadTime      time.Duration // median
	Failures      int
	FailureRate   float64 // failures / (deployments + failures); 0 when there were none
	TimeToRestore time.Duration
	Restored      int
	Unrestored    int // failures not followed by a successful deployment to that environment yet
}

// Compute works the metrics out of deps (in any order) for the weeks up to now. production
// names the production environments; promotions elsewhere do not count.
func Compute(deps []Deployment, production map[string]bool, now time.Time) Metrics {
	start := weekStart(now).AddDate(0, 0, -7*(Weeks-1))
	m := Metrics{Weeks: make([]Week, Weeks)}
	for i := range m.Weeks {
		m.Weeks[i].Start = start.AddDate(0, 0, 7*i)
	}
	prod := finishedIn(deps, production, start)
	leads := make([][]time.Duration, Weeks)
	restores := make([][]time.Duration, Weeks)
	var allLeads, allRestores []time.Duration
	for i, d := range prod {
		w := int(d.FinishedAt.Sub(start) / (7 * 24 * time.Hour))
		switch d.Status {
		case release.Succeeded:
			m.Deployments++
			m.Weeks[w].Deployments++
			lead := d.FinishedAt.Sub(origin(d))
			leads[w] = append(leads[w], lead)
			allLeads = append(allLeads, lead)
		case release.Failed:
			m.Failures++
			m.Weeks[w].Failures++
			if fixed, ok := nextSuccess(prod[i+1:], d.Environment); ok {
				r := fixed.Sub(*d.FinishedAt)
				m.Restored++
				restores[w] = append(restores[w], r)
				allRestores = append(allRestores, r)
			} else {
				m.Unrestored++
			}
		}
	}
	for i := range m.Weeks {
		m.Weeks[i].LeadTime, m.Weeks[i].Restore = median(leads[i]), median(restores[i])
	}
	m.PerWeek = float64(m.Deployments) / Weeks
	m.LeadTime, m.TimeToRestore = median(allLeads), median(allRestores)
	if n := m.Deployments + m.Failures; n > 0 {
		m.FailureRate = float64(m.Failures) / float64(n)
	}
	return m
}

// finishedIn keeps the finished promotions into production environments since start, in the
// order they finished.
func finishedIn(deps []Deployment, production map[string]bool, start time.Time) []Deployment {
	var out []Deployment
	for _, d := range deps {
		final := d.Status == release.Succeeded || d.Status == release.Failed
		if final && production[d.Environment] && d.FinishedAt != nil && !d.FinishedAt.Before(start) {
			out = append(out, d)
		}
	}
	slices.SortStableFunc(out, func(a, b Deployment) int { return a.FinishedAt.Compare(*b.FinishedAt) })
	return out
}

// origin is when a change began: its trigger commit's date, else its release's creation.
func origin(d Deployment) time.Time {
	if d.TriggerDate != nil && !d.TriggerDate.After(*d.FinishedAt) {
		return *d.TriggerDate
	}
	return d.CreatedAt
}

func nextSuccess(later []Deployment, env string) (time.Time, bool) {
	for _, d := range later {
		if d.Environment == env && d.Status == release.Succeeded {
			return *d.FinishedAt, true
		}
	}
	return time.Time{}, false
}

func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	if n := len(s); n%2 == 0 {
		return (s[n/2-1] + s[n/2]) / 2
	}
	return s[len(s)/2]
}

// weekStart is the Monday 00:00 UTC of t's week.
func weekStart(t time.Time) time.Time {
	t = t.UTC()
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	return day.AddDate(0, 0, -((int(day.Weekday()) + 6) % 7))
}

// Service reads deployments from the release history.
type Service struct {
	q   *db.Queries
	now func() time.Time
}

// NewService returns a Service on conn.
func NewService(conn *sql.DB, now func() time.Time) *Service {
	return &Service{q: db.New(conn), now: now}
}

// Metrics returns product's metrics; production names the production environments.
func (s *Service) Metrics(ctx context.Context, product string, production map[string]bool) (Metrics, error) {
	now := s.now()
	// A release finishing inside the window was created at most its flow's timeout earlier;
	// look back one more week to catch those.
	since := weekStart(now).AddDate(0, 0, -7*Weeks)
	rows, err := s.q.ListDeployments(ctx, db.ListDeploymentsParams{Product: product, Since: release.IDBound(since)})
	if err != nil {
		return Metrics{}, fmt.Errorf("list deployments of %s: %w", product, err)
	}
	deps := make([]Deployment, 0, len(rows))
	for _, r := range rows {
		deps = append(deps, Deployment{ReleaseID: r.ID, Number: r.Number, Environment: r.Environment, Status: r.Status,
			CreatedAt: r.CreatedAt.UTC(), TriggerDate: timePtr(r.TriggerDate), FinishedAt: timePtr(r.FinishedAt)})
	}
	return Compute(deps, production, now), nil
}

func timePtr(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
}
