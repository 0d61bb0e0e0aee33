package app

import (
	"context"
	"database/sql"
	"log/slog"
	"sync"

	"ladder/internal/runner"
	"ladder/internal/trigger"
	"ladder/web"
)

// deployOptions lets the runner open pull requests on the Git providers and verify through the
// Argo CD servers of the model.
func deployOptions(m modelServices) runner.Deploy {
	return runner.Deploy{Providers: m.providers, ArgoCD: m.argo, Argo: m.argoWF}
}

// startTrigger watches the trigger applications of every product's flows, polling Git every
// cfg.Poll() until ctx is cancelled, and adds it to svc for the webhook receivers; with it runs
// the refresh of applications discovered from Argo CD, on the same interval. Wait on the
// result before closing the database.
func startTrigger(ctx context.Context, cfg Config, conn *sql.DB, svc *web.Services, m modelServices, log *slog.Logger) *sync.WaitGroup {
	t := trigger.New(conn, trigger.Deps{Products: m.products, Flows: svc.Flows, Applications: m.apps, ArgoCD: m.argo,
		Remote: m.creds.Remote, Git: m.git, Starter: svc.Promotions, Merges: svc.Runner,
		WebhookSecrets: m.providers.WebhookSecrets}, cfg.Poll(), log, svc.Now)
	svc.Trigger, svc.WebhookSecret, svc.PollInterval = t, cfg.WebhookSecret, cfg.Poll()
	svc.TriggerFailures = trigger.NewFailures(conn, svc.Now)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		t.Run(ctx)
	}()
	go func() {
		defer wg.Done()
		m.discovery.Run(ctx, log, cfg.Poll())
	}()
	return &wg
}
