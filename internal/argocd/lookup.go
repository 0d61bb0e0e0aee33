package argocd

import "context"

// Application reads application app from the server called server, asking Argo CD to
// compare it with Git first.
func (s *Service) Application(ctx context.Context, server, app string) (Application, error) {
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
