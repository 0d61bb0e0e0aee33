package app

import (
	"context"
	"log/slog"
	"sync"

	"ladder/internal/gitops"
	"ladder/internal/modelrepo"
	"ladder/web"
)

// startModelRepo starts the watcher that applies the model repository, polling on the
// trigger's interval, and adds it to svc.
func startModelRepo(ctx context.Context, cfg Config, b base, svc *web.Services, m modelServices, log *slog.Logger) *sync.WaitGroup {
	remote := func(ctx context.Context, name, url string) (gitops.Remote, error) {
		if name != "" {
			return m.creds.RemoteNamed(ctx, name, url)
		}
		return m.creds.Remote(ctx, url)
	}
	repo := modelrepo.NewService(b.conn, b.check, b.now, svc.Model, m.git, remote, log)
	svc.ModelRepo = repo
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		repo.Run(ctx, cfg.Poll())
	}()
	return &wg
}
