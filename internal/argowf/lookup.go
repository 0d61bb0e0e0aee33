package argowf

import "context"

// Submit submits s on the server called server and returns the workflow's name.
func (s *Service) Submit(ctx context.Context, server string, sub Submit) (string, error) {
	c, err := s.Client(ctx, server)
	if err != nil {
		return "", err
	}
	return c.Submit(ctx, sub)
}

// Workflow reads workflow name on the server called server.
func (s *Service) Workflow(ctx context.Context, server, name string) (Workflow, error) {
	c, err := s.Client(ctx, server)
	if err != nil {
		return Workflow{}, err
	}
	return c.Get(ctx, name)
}

// Logs reads the log of workflow name on the server called server from where cursor stands.
func (s *Service) Logs(ctx context.Context, server, name string, cursor LogCursor) ([]LogLine, error) {
	c, err := s.Client(ctx, server)
	if err != nil {
		return nil, err
	}
	return c.Logs(ctx, name, cursor)
}

// Resume resumes suspended workflow name on the server called server.
func (s *Service) Resume(ctx context.Context, server, name string) error {
	c, err := s.Client(ctx, server)
	if err != nil {
		return err
	}
	return c.Resume(ctx, name)
}

// Terminate stops workflow name on the server called server.
func (s *Service) Terminate(ctx context.Context, server, name string) error {
	c, err := s.Client(ctx, server)
	if err != nil {
		return err
	}
	return c.Terminate(ctx, name)
}
