package app

import (
	"context"
	"log/slog"

	"ladder/internal/notify"
	"ladder/web"
)

// startNotifier starts sending outgoing notifications to the channels of svc.Notify. Links in
// notifications start with cfg.PublicURL.
func startNotifier(ctx context.Context, svc *web.Services, cfg Config, log *slog.Logger) *notify.Notifier {
	n := notify.NewNotifier(svc.Notify, cfg.PublicURL, log, svc.Now, notify.Options{})
	n.Start(ctx)
	return n
}
