package app

import (
	"context"
	"database/sql"
	"log/slog"

	"ladder/internal/fault"
	"ladder/internal/notify"
	"ladder/web"
)

// startNotifier starts sending outgoing notifications and adds the channel service to svc.
// Links in notifications start with cfg.PublicURL.
func startNotifier(ctx context.Context, conn *sql.DB, svc *web.Services, cfg Config, log *slog.Logger) *notify.Notifier {
	svc.Notify = notify.NewService(conn, fault.NewValidator(), svc.Now)
	n := notify.NewNotifier(conn, cfg.PublicURL, log, svc.Now, notify.Options{})
	n.Start(ctx)
	return n
}
