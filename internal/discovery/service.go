package discovery

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"ladder/db"
	"ladder/internal/application"
	"ladder/internal/argocd"
	"ladder/internal/audit"
	"ladder/internal/fault"
	"ladder/internal/product"
)

// Service reads and changes discovery settings and environment rules, proposes applications
// from Argo CD and keeps the accepted ones following it.
type Service struct {
	db       *sql.DB
	q        *db.Queries
	argo     *argocd.Service
	apps     *application.Service
	products *product.Service
	check    *fault.Validator
	now      func() time.Time
}

// NewService returns a Service on conn.
func NewService(conn *sql.DB, argo *argocd.Service, apps *application.Service, products *product.Service,
	check *fault.Validator, now func() time.Time) *Service {
	return &Service{db: conn, q: db.New(conn), argo: argo, apps: apps, products: products, check: check, now: now}
}

// Settings returns the discovery settings of the Argo CD server called server.
func (s *Service) Settings(ctx context.Context, server string) (Settings, error) {
	return settings(ctx, s.q, server)
}

func settings(ctx context.Context, q *db.Queries, server string) (Settings, error) {
	r, err := q.GetDiscovery(ctx, server)
	if errors.Is(err, sql.ErrNoRows) {
		return Settings{}, fmt.Errorf("argo cd server %q: %w", server, fault.ErrNotFound)
	}
	if err != nil {
		return Settings{}, fmt.Errorf("get discovery of %q: %w", server, err)
	}
	st := Settings{serverID: r.ServerID, Server: r.Server, Enabled: r.Enabled, Projects: splitList(r.Projects), AppNamespace: r.AppNamespace,
		Selector: r.Selector, ProductAnnotation: r.ProductAnnotation, EnvironmentAnnotation: r.EnvironmentAnnotation,
		PollError: r.PollError}
	if r.PolledAt.Valid {
		st.PolledAt = &r.PolledAt.Time
	}
	return st, nil
}

// SaveSettings changes the discovery settings of server.
func (s *Service) SaveSettings(ctx context.Context, server string, in Input) (Settings, error) {
	in.ProductAnnotation, in.EnvironmentAnnotation = strings.TrimSpace(in.ProductAnnotation), strings.TrimSpace(in.EnvironmentAnnotation)
	in.AppNamespace, in.Selector = strings.TrimSpace(in.AppNamespace), strings.TrimSpace(in.Selector)
	if fe := s.check.Struct(in); len(fe) > 0 {
		return Settings{}, fe
	}
	err := db.InTx(ctx, s.db, func(q *db.Queries) error {
		st, err := settings(ctx, q, server)
		if err != nil {
			return err
		}
		now := s.now().UTC()
		if err := q.UpsertDiscovery(ctx, db.UpsertDiscoveryParams{ServerID: st.serverID, Enabled: in.Enabled,
			Projects: strings.Join(splitList(in.Projects), ","), AppNamespace: in.AppNamespace, Selector: in.Selector,
			ProductAnnotation: in.ProductAnnotation, EnvironmentAnnotation: in.EnvironmentAnnotation, UpdatedAt: now}); err != nil {
			return fmt.Errorf("save discovery of %q: %w", server, err)
		}
		return audit.Record(ctx, q, now, audit.Entry{Actor: audit.Actor(ctx), Action: "update", Kind: "argocd-discovery",
			Name: server, Detail: fmt.Sprintf("enabled %t, projects %q, namespace %q, selector %q", in.Enabled, in.Projects, in.AppNamespace, in.Selector)})
	})
	if err != nil {
		return Settings{}, err
	}
	return s.Settings(ctx, server)
}

// Rules returns every environment with its destination rule (an empty cluster: none).
func (s *Service) Rules(ctx context.Context) ([]Rule, error) {
	rows, err := s.q.ListEnvironmentRules(ctx)
	if err != nil {
		return nil, fmt.Errorf("list environment rules: %w", err)
	}
	out := make([]Rule, 0, len(rows))
	for _, r := range rows {
		out = append(out, Rule{Environment: r.Environment, Cluster: r.Cluster, Namespace: r.Namespace})
	}
	return out, nil
}

// SaveRules sets the destination rule of each environment named; an empty cluster removes it.
func (s *Service) SaveRules(ctx context.Context, rules []Rule) error {
	return db.InTx(ctx, s.db, func(q *db.Queries) error {
		now := s.now().UTC()
		for _, r := range rules {
			id, err := q.GetEnvironmentID(ctx, r.Environment)
			if errors.Is(err, sql.ErrNoRows) {
				return fault.FieldErrors{"rules": fmt.Sprintf("there is no environment called %q", r.Environment)}
			}
			if err != nil {
				return err
			}
			cluster, ns := strings.TrimSpace(r.Cluster), strings.TrimSpace(r.Namespace)
			if cluster == "" {
				err = q.DeleteEnvironmentRule(ctx, id)
			} else {
				err = q.UpsertEnvironmentRule(ctx, db.UpsertEnvironmentRuleParams{EnvironmentID: id, Cluster: cluster, Namespace: ns, UpdatedAt: now})
			}
			if err != nil {
				return fmt.Errorf("save rule of %q: %w", r.Environment, err)
			}
		}
		return audit.Record(ctx, q, now, audit.Entry{Actor: audit.Actor(ctx), Action: "update", Kind: "argocd-discovery",
			Name: "environment rules", Detail: fmt.Sprintf("%d environments", len(rules))})
	})
}

// CreateProduct creates a product named in an annotation, with the defaults of the product
// form.
func (s *Service) CreateProduct(ctx context.Context, name string) error {
	_, err := s.products.Create(ctx, product.Input{Name: name, Concurrency: product.ConcurrencyQueue, QueueLimit: product.DefaultQueueLimit})
	return err
}
