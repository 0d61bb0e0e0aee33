package discovery

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"ladder/db"
	"ladder/internal/application"
	"ladder/internal/argocd"
	"ladder/internal/fault"
)

// annotated lists the server's applications within the settings' projects, namespace and
// selector that carry the product annotation.
func (s *Service) annotated(ctx context.Context, st Settings) ([]argocd.Application, error) {
	c, _, err := s.argo.Client(ctx, st.Server)
	if err != nil {
		return nil, err
	}
	all, err := c.Applications(ctx, argocd.Query{Projects: st.Projects, Namespace: st.AppNamespace, Selector: st.Selector})
	if err != nil {
		return nil, err
	}
	var out []argocd.Application
	for _, a := range all {
		if a.Annotations[st.ProductAnnotation] != "" {
			out = append(out, a)
		}
	}
	return out, nil
}

// Proposals lists what each annotated application of server would become in Ladder, and
// whether it already has.
func (s *Service) Proposals(ctx context.Context, server string) ([]Proposal, error) {
	st, err := s.Settings(ctx, server)
	if err != nil {
		return nil, err
	}
	found, err := s.annotated(ctx, st)
	if err != nil {
		return nil, err
	}
	return s.propose(ctx, st, found)
}

// propose turns found applications into proposals, against Ladder's products, environments,
// rules and applications.
func (s *Service) propose(ctx context.Context, st Settings, found []argocd.Application) ([]Proposal, error) {
	rules, err := s.Rules(ctx)
	if err != nil {
		return nil, err
	}
	envs := map[string]bool{}
	for _, r := range rules {
		envs[r.Environment] = true
	}
	existing, err := s.apps.List(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Proposal, 0, len(found))
	for _, a := range found {
		p := Proposal{ArgoApp: ref(a), Name: a.Name, Product: a.Annotations[st.ProductAnnotation]}
		if _, err := s.products.Get(ctx, p.Product); err != nil {
			p.ProductMissing = true
		}
		p.Environment, p.Problem = environmentOf(a, st, rules, func(e string) bool { return envs[e] })
		var ok bool
		if p.RepoURL, p.Branch, p.Path, ok = location(a); !ok && p.Problem == "" {
			p.Problem = "it has no Git source (only Helm charts)"
		}
		for _, x := range existing {
			switch {
			case x.ArgocdServer == st.Server && (x.ArgocdApp == p.ArgoApp || x.ArgocdApp == a.Name):
				// A bare name is an application in Argo CD's own namespace, which Ladder does
				// not know: it is taken to be this one.
				p.Existing = x.Key()
			case p.Existing == "" && x.Environment == p.Environment && x.Name == p.Name && p.Problem == "":
				p.Problem = "Ladder already has an application " + x.Key() + " linked elsewhere"
			}
		}
		out = append(out, p)
	}
	return out, nil
}

// Accept creates a Ladder application for each proposal of server named in argoApps
// (namespace/name), together or not at all. It returns how many it created.
func (s *Service) Accept(ctx context.Context, server string, argoApps []string) (int, error) {
	props, err := s.Proposals(ctx, server)
	if err != nil {
		return 0, err
	}
	st, err := s.Settings(ctx, server)
	if err != nil {
		return 0, err
	}
	n := 0
	err = db.InTx(ctx, s.db, func(q *db.Queries) error {
		for _, p := range props {
			if !slices.Contains(argoApps, p.ArgoApp) {
				continue
			}
			if !p.Acceptable() {
				return fault.FieldErrors{"accept": fmt.Sprintf("%s cannot be accepted: %s", p.ArgoApp, p.why())}
			}
			a, err := s.apps.CreateTx(ctx, q, application.Input{Name: p.Name, Environment: p.Environment, Product: p.Product,
				RepoURL: p.RepoURL, Branch: p.Branch, Path: p.Path, ArgocdServer: server, ArgocdApp: p.ArgoApp})
			if err != nil {
				return fmt.Errorf("accept %s: %w", p.ArgoApp, err)
			}
			if err := q.CreateDiscoveredApplication(ctx, db.CreateDiscoveredApplicationParams{ApplicationID: a.ID,
				ServerID: st.serverID, RefreshedAt: s.now().UTC()}); err != nil {
				return fmt.Errorf("record %s as discovered: %w", p.ArgoApp, err)
			}
			n++
		}
		return nil
	})
	return n, err
}

// why says why a proposal cannot be accepted.
func (p Proposal) why() string {
	switch {
	case p.Existing != "":
		return "it is already " + p.Existing
	case p.ProductMissing:
		return "there is no product " + p.Product + " yet"
	}
	return p.Problem
}

// ErrListing wraps a failure to list the applications of an Argo CD server; Refresh records
// it on the server's settings.
var ErrListing = errors.New("cannot list Argo CD applications")

// Refresh reads server's annotated applications and brings the discovered Ladder applications
// in line: repository, branch and path follow Argo CD's spec; one no longer listed is marked
// missing (and unmarked when it comes back). A failure is recorded on the server's settings.
func (s *Service) Refresh(ctx context.Context, server string) error {
	st, err := s.Settings(ctx, server)
	if err != nil {
		return err
	}
	found, err := s.annotated(ctx, st)
	now := s.now().UTC()
	polled := db.SetDiscoveryPolledParams{PolledAt: sql.NullTime{Time: now, Valid: true}, ServerID: st.serverID}
	if err != nil {
		polled.PollError = err.Error()
		_ = s.q.SetDiscoveryPolled(ctx, polled)
		return fmt.Errorf("%w: %w", ErrListing, err)
	}
	byRef := map[string]argocd.Application{}
	for _, a := range found {
		byRef[ref(a)] = a
	}
	return db.InTx(ctx, s.db, func(q *db.Queries) error {
		rows, err := q.ListDiscoveredApplications(ctx, st.serverID)
		if err != nil {
			return fmt.Errorf("list discovered applications: %w", err)
		}
		for _, r := range rows {
			if err := s.follow(ctx, q, st, r, byRef, now); err != nil {
				return err
			}
		}
		return q.SetDiscoveryPolled(ctx, polled)
	})
}

// follow updates one discovered application from the Argo CD application it came from.
func (s *Service) follow(ctx context.Context, q *db.Queries, st Settings, r db.ListDiscoveredApplicationsRow,
	byRef map[string]argocd.Application, now time.Time) error {
	a, listed := byRef[r.ArgocdApp]
	missing := r.MissingSince
	if !listed || a.Annotations[st.ProductAnnotation] != r.Product {
		if !missing.Valid {
			missing = sql.NullTime{Time: now, Valid: true}
		}
		return q.SetDiscoveredState(ctx, db.SetDiscoveredStateParams{MissingSince: missing, RefreshedAt: now, ApplicationID: r.ID})
	}
	if repo, branch, path, ok := location(a); ok && (repo != r.RepoUrl || branch != r.Branch || path != r.Path) {
		if _, err := s.apps.FollowTx(ctx, q, r.Environment, r.Name, repo, branch, path); err != nil {
			return fmt.Errorf("follow %s: %w", r.ArgocdApp, err)
		}
	}
	return q.SetDiscoveredState(ctx, db.SetDiscoveredStateParams{RefreshedAt: now, ApplicationID: r.ID})
}
