package argocd

import "context"

// Application reads application app ("name" or "namespace/name") from the server called
// server as Argo CD last reconciled it, without asking for a refresh.
func (s *Service) Application(ctx context.Context, server, app string) (Application, error) {
	c, _, err := s.Client(ctx, server)
	if err != nil {
		return Application{}, err
	}
	return c.Application(ctx, app, false)
}

// Refresh asks the server to compare app with Git now and returns it once reconciled: once
// after a commit, so the commit is seen without waiting for Argo CD's own poll.
func (s *Service) Refresh(ctx context.Context, server, app string) (Application, error) {
	c, _, err := s.Client(ctx, server)
	if err != nil {
		return Application{}, err
	}
	return c.Application(ctx, app, true)
}

// SyncAfterPromotion asks the server to sync app when the server is set to do so after
// promotions; it reports whether it asked.
func (s *Service) SyncAfterPromotion(ctx context.Context, server, app string) (bool, error) {
	c, srv, err := s.Client(ctx, server)
	if err != nil || !srv.SyncAfterPromotion {
		return false, err
	}
	return true, c.Sync(ctx, app)
}
