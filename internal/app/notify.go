package app

import (
	"context"
	"database/sql"
	"log/slog"
	"strings"

	"ladder/internal/fault"
	"ladder/internal/notify"
	"ladder/web"
)

// startNotifier starts sending outgoing notifications and adds the channel service to svc.
// addr is where the server listens, the public URL's default.
func startNotifier(ctx context.Context, conn *sql.DB, svc *web.Services, cfg Config, addr string, log *slog.Logger) *notify.Notifier {
	publicURL := cfg.PublicURL
	if publicURL == "" || strings.HasSuffix(publicURL, ":0") {
		publicURL = "http://" + addr
	}
	svc.Notify = notify.NewService(conn, fault.NewValidator(), svc.Now)
	n := notify.NewNotifier(conn, publicURL, log, svc.Now, notify.Options{})
	n.Start(ctx)
	return n
}
