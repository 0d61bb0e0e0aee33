package web

import (
	"context"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"ladder/db"
	"ladder/internal/argocd"
	"ladder/internal/argocd/fakeargocd"
	"ladder/internal/fault"
	"ladder/internal/secret"
	"ladder/views"
)

// TestDashboardReadsArgoCDInTheBackground: the first visit shows nothing read yet and starts
// one read; once Argo CD answered, the cell has its sync and health, gen moved and open
// dashboards were woken; a change in Argo CD shows only after the read goes stale; an Argo CD
// that cannot be reached is said so; an application without a server reads nothing.
func TestDashboardReadsArgoCDInTheBackground(t *testing.T) {
	ctx := context.Background()
	conn, err := db.Open(ctx, filepath.Join(t.TempDir(), "ladder.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	box, err := secret.NewBox([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	servers := argocd.NewService(conn, box, fault.NewValidator(), time.Now)
	fake := fakeargocd.New(t, "argo-token")
	if _, err := servers.Create(ctx, argocd.Input{Name: "prod-cluster", URL: fake.URL, Token: "argo-token"}); err != nil {
		t.Fatal(err)
	}
	if _, err := servers.Create(ctx, argocd.Input{Name: "gone", URL: "http://127.0.0.1:1", Token: "x"}); err != nil {
		t.Fatal(err)
	}
	app := fakeargocd.Application{Metadata: fakeargocd.Metadata{Name: "shop-prod", Namespace: fakeargocd.Namespace}}
	app.Compared("Synced", "0000000000000000000000000000000000000000")
	app.Healthy()
	fake.Put(app)

	var mu sync.Mutex
	now := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	var woken atomic.Int64
	c := newArgoStatuses(servers, clock, func() { woken.Add(1) })
	settled := func(server, app string) views.ArgoStatus {
		t.Helper()
		for range 200 {
			c.mu.Lock()
			s := c.seen[server+"\x00"+app]
			done := s != nil && !s.reading && !s.at.IsZero()
			c.mu.Unlock()
			if done {
				st, ok := c.status(server, app)
				if !ok {
					t.Fatalf("%s/%s: read, but status says not", server, app)
				}
				return st
			}
			time.Sleep(10 * time.Millisecond)
		}
		t.Fatalf("%s/%s: no read finished within 2 s", server, app)
		return views.ArgoStatus{}
	}

	if _, ok := c.status("prod-cluster", "shop-prod"); ok {
		t.Fatal("the first visit has a status; want none until Argo CD answers")
	}
	got := settled("prod-cluster", "shop-prod")
	if got.Sync != "Synced" || got.Health != "Healthy" || got.Error != "" {
		t.Fatalf("got %+v, want Synced and Healthy", got)
	}
	if c.gen.Load() != 1 || woken.Load() != 1 {
		t.Errorf("after the first answer: gen %d, woken %d; want 1 and 1", c.gen.Load(), woken.Load())
	}
	gets := fake.Gets("argocd/shop-prod")

	fake.Update("argocd/shop-prod", func(a *fakeargocd.Application) { a.Status.Health = fakeargocd.Health{Status: "Degraded"} })
	for range 5 {
		if st, _ := c.status("prod-cluster", "shop-prod"); st.Health != "Healthy" {
			t.Fatalf("a fresh read was not reused: got %+v", st)
		}
	}
	if fake.Gets("argocd/shop-prod") != gets {
		t.Errorf("Argo CD was asked again within the read's lifetime")
	}
	mu.Lock()
	now = now.Add(20 * time.Second)
	mu.Unlock()
	c.status("prod-cluster", "shop-prod") // stale: starts a read, still shows the last answer
	if got := settled("prod-cluster", "shop-prod"); got.Health != "Degraded" {
		t.Errorf("after the read went stale: got %+v, want Degraded", got)
	}
	if c.gen.Load() != 2 || woken.Load() != 2 {
		t.Errorf("after a changed answer: gen %d, woken %d; want 2 and 2", c.gen.Load(), woken.Load())
	}

	c.status("gone", "shop-prod")
	if got := settled("gone", "shop-prod"); got.Error == "" || got.Sync != "" {
		t.Errorf("an unreachable Argo CD: got %+v, want an error and no sync status", got)
	}
	if _, ok := c.status("", ""); ok || len(c.seen) != 2 {
		t.Errorf("an application without a server was read (%d entries)", len(c.seen))
	}
}
