package discovery

import (
	"context"
	"log/slog"
	"time"

	"ladder/internal/audit"
)

// Poll refreshes the discovered applications of every server with discovery enabled; a
// server that cannot be reached is logged and recorded on its settings, the others go on.
func (s *Service) Poll(ctx context.Context, log *slog.Logger) {
	ctx = audit.WithActor(ctx, "auto")
	servers, err := s.q.ListDiscoveringServers(ctx)
	if err != nil {
		log.Warn("list Argo CD servers to discover on", "err", err)
		return
	}
	for _, name := range servers {
		if err := s.Refresh(ctx, name); err != nil && ctx.Err() == nil {
			log.Warn("refresh applications discovered on Argo CD", "server", name, "err", err)
		}
	}
}

// Run polls every interval until ctx ends.
func (s *Service) Run(ctx context.Context, log *slog.Logger, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.Poll(ctx, log)
		}
	}
}
