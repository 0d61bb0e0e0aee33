package web

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"ladder/internal/argocd"
	"ladder/views"
)

// argoReadTimeout bounds one read of an application from Argo CD for the dashboard.
const argoReadTimeout = 5 * time.Second

// argoStatuses remembers the sync and health Argo CD last reported for each application the
// dashboard shows. A cell never waits for Argo CD: it shows what was read last (nothing yet
// on the first visit) and, when that is older than ttl, asks for a read in the background,
// one at a time per application. A read that changes what a cell shows moves gen, so
// renderings made before it are not served again, and calls changed, which wakes open
// dashboards.
type argoStatuses struct {
	argo    *argocd.Service
	ttl     time.Duration
	now     func() time.Time
	changed func()
	mu      sync.Mutex
	seen    map[string]*argoSeen // by server and application
	gen     atomic.Uint64
}

type argoSeen struct {
	status  views.ArgoStatus
	at      time.Time // of the last read; zero before the first ends
	reading bool
}

func newArgoStatuses(argo *argocd.Service, now func() time.Time, changed func()) *argoStatuses {
	return &argoStatuses{argo: argo, ttl: 15 * time.Second, now: now, changed: changed, seen: map[string]*argoSeen{}}
}

// status returns what Argo CD last said of app on server, and ok false before it first
// answered or failed; a read is started when none is recent.
func (c *argoStatuses) status(server, app string) (views.ArgoStatus, bool) {
	if c == nil || c.argo == nil || server == "" || app == "" {
		return views.ArgoStatus{}, false
	}
	key := server + "\x00" + app
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.seen[key]
	if s == nil {
		s = &argoSeen{}
		c.seen[key] = s
	}
	if !s.reading && (s.at.IsZero() || c.now().Sub(s.at) >= c.ttl) {
		s.reading = true
		go c.read(key, server, app)
	}
	return s.status, !s.at.IsZero()
}

func (c *argoStatuses) read(key, server, app string) {
	ctx, cancel := context.WithTimeout(context.Background(), argoReadTimeout)
	defer cancel()
	a, err := c.argo.Application(ctx, server, app)
	st := views.ArgoStatus{Server: server, App: app, Sync: argocd.OrUnknown(a.SyncStatus), Health: argocd.OrUnknown(a.Health)}
	if err != nil {
		st = views.ArgoStatus{Server: server, App: app, Error: err.Error()}
	}
	c.mu.Lock()
	s := c.seen[key]
	moved := s.at.IsZero() || s.status != st
	s.status, s.at, s.reading = st, c.now(), false
	c.mu.Unlock()
	if moved {
		c.gen.Add(1)
		if c.changed != nil {
			c.changed()
		}
	}
}
