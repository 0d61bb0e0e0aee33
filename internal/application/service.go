package application

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"ladder/db"
	"ladder/internal/audit"
	"ladder/internal/fault"
)

// Service reads and changes applications.
type Service struct {
	db    *sql.DB
	q     *db.Queries
	check *fault.Validator
	now   func() time.Time
}

// NewService returns a Service on conn.
func NewService(conn *sql.DB, check *fault.Validator, now func() time.Time) *Service {
	return &Service{db: conn, q: db.New(conn), check: check, now: now}
}

// List returns every application by product, environment order and name.
func (s *Service) List(ctx context.Context) ([]Application, error) {
	rows, err := s.q.ListApplications(ctx)
	if err != nil {
		return nil, fmt.Errorf("list applications: %w", err)
	}
	return convert(rows, func(r db.ListApplicationsRow) db.ListApplicationsRow { return r }), nil
}

// ListByProduct returns the applications of product in environment order.
func (s *Service) ListByProduct(ctx context.Context, product string) ([]Application, error) {
	rows, err := s.q.ListApplicationsByProduct(ctx, product)
	if err != nil {
		return nil, fmt.Errorf("list applications of %q: %w", product, err)
	}
	return convert(rows, func(r db.ListApplicationsByProductRow) db.ListApplicationsRow { return db.ListApplicationsRow(r) }), nil
}

// UsersOfProduct names (environment/name) the applications of product, so that deleting the
// product can be refused with a message naming them.
func (s *Service) UsersOfProduct(ctx context.Context, product string) ([]string, error) {
	apps, err := s.ListByProduct(ctx, product)
	return keys(apps), err
}

// UsersOfEnvironment names (environment/name) the applications in env, so that deleting the
// environment can be refused with a message naming them.
func (s *Service) UsersOfEnvironment(ctx context.Context, env string) ([]string, error) {
	return UsersOfEnvironmentIn(ctx, s.q, env)
}

// UsersOfEnvironmentIn is UsersOfEnvironment read through q, which may belong to a caller's
// transaction.
func UsersOfEnvironmentIn(ctx context.Context, q *db.Queries, env string) ([]string, error) {
	rows, err := q.ListApplicationsByEnvironment(ctx, env)
	if err != nil {
		return nil, fmt.Errorf("list applications in %q: %w", env, err)
	}
	return keys(convert(rows, func(r db.ListApplicationsByEnvironmentRow) db.ListApplicationsRow { return db.ListApplicationsRow(r) })), nil
}

// Get returns the application called name in env.
func (s *Service) Get(ctx context.Context, env, name string) (Application, error) {
	return get(ctx, s.q, env, name)
}

func get(ctx context.Context, q *db.Queries, env, name string) (Application, error) {
	r, err := q.GetApplication(ctx, db.GetApplicationParams{Name: env, Name_2: name})
	if errors.Is(err, sql.ErrNoRows) {
		return Application{}, fmt.Errorf("application %q in %q: %w", name, env, fault.ErrNotFound)
	}
	if err != nil {
		return Application{}, fmt.Errorf("get application %q in %q: %w", name, env, err)
	}
	return fromRow(db.ListApplicationsRow(r)), nil
}

// Create adds an application; its environment and product must exist and its name must be
// free in that environment.
func (s *Service) Create(ctx context.Context, in Input) (Application, error) {
	return s.save(ctx, nil, in)
}

// Update changes the application called name in env.
func (s *Service) Update(ctx context.Context, env, name string, in Input) (Application, error) {
	return s.save(ctx, &[2]string{env, name}, in)
}

// CreateTx is Create inside the caller's transaction q, so that several changes (a whole
// model being applied) commit together or not at all.
func (s *Service) CreateTx(ctx context.Context, q *db.Queries, in Input) (Application, error) {
	return s.saveTx(ctx, q, nil, in, false)
}

// UpdateTx is Update inside the caller's transaction q.
func (s *Service) UpdateTx(ctx context.Context, q *db.Queries, env, name string, in Input) (Application, error) {
	return s.saveTx(ctx, q, &[2]string{env, name}, in, false)
}

// FollowTx sets where the discovered application name in env lives, as Argo CD's spec says,
// inside the caller's transaction q: the only way to change a discovered application's
// repository, branch and path.
func (s *Service) FollowTx(ctx context.Context, q *db.Queries, env, name, repoURL, branch, path string) (Application, error) {
	cur, err := get(ctx, q, env, name)
	if err != nil {
		return Application{}, err
	}
	in := Input{Name: cur.Name, Environment: cur.Environment, Product: cur.Product, RepoURL: repoURL, Branch: branch,
		Path: path, ArgocdServer: cur.ArgocdServer, ArgocdApp: cur.ArgocdApp, HealthURL: cur.HealthURL}
	return s.saveTx(ctx, q, &[2]string{env, name}, in, true)
}

// save creates (old == nil) or updates the application old names.
func (s *Service) save(ctx context.Context, old *[2]string, in Input) (Application, error) {
	var saved Application
	err := db.InTx(ctx, s.db, func(q *db.Queries) (err error) {
		saved, err = s.saveTx(ctx, q, old, in, false)
		return err
	})
	return saved, err
}

// saveTx creates (old == nil) or updates the application old names; follow lets a discovered
// application's Argo CD fields change.
func (s *Service) saveTx(ctx context.Context, q *db.Queries, old *[2]string, in Input, follow bool) (Application, error) {
	in = normalize(in)
	fe := s.check.Struct(in)
	checkInput(in, fe)
	if len(fe) > 0 {
		return Application{}, fe
	}
	var prev Application
	if old != nil {
		var err error
		if prev, err = get(ctx, q, old[0], old[1]); err != nil {
			return Application{}, err
		}
		if fe := lockedByDiscovery(prev, normalize(in)); len(fe) > 0 && !follow {
			return Application{}, fe
		}
	}
	envID, productID, err := references(ctx, q, in)
	if err != nil {
		return Application{}, err
	}
	if prev.Environment != in.Environment || prev.Name != in.Name {
		if err := unique(ctx, q, envID, in); err != nil {
			return Application{}, err
		}
	}
	if err := s.write(ctx, q, prev, envID, productID, in); err != nil {
		return Application{}, err
	}
	return get(ctx, q, in.Environment, in.Name)
}

func (s *Service) write(ctx context.Context, q *db.Queries, prev Application, envID, productID int64, in Input) error {
	now := s.now().UTC()
	action, detail := "create", describe(in)
	if prev.ID == 0 {
		if _, err := q.CreateApplication(ctx, db.CreateApplicationParams{
			Name: in.Name, EnvironmentID: envID, ProductID: productID, RepoUrl: in.RepoURL, Branch: in.Branch,
			Path: in.Path, ArgocdServer: in.ArgocdServer, ArgocdApp: in.ArgocdApp, HealthUrl: in.HealthURL,
			CreatedAt: now, UpdatedAt: now,
		}); err != nil {
			return fmt.Errorf("create application %q: %w", in.Name, err)
		}
	} else {
		action = "update"
		if err := q.UpdateApplication(ctx, db.UpdateApplicationParams{
			ID: prev.ID, Name: in.Name, EnvironmentID: envID, ProductID: productID, RepoUrl: in.RepoURL,
			Branch: in.Branch, Path: in.Path, ArgocdServer: in.ArgocdServer, ArgocdApp: in.ArgocdApp,
			HealthUrl: in.HealthURL, UpdatedAt: now,
		}); err != nil {
			return fmt.Errorf("update application %q: %w", prev.Key(), err)
		}
		if prev.Key() != in.Environment+"/"+in.Name {
			detail = "was " + prev.Key() + "; " + detail
		}
	}
	return audit.Record(ctx, q, now, audit.Entry{Actor: audit.Actor(ctx), Action: action,
		Kind: "application", Name: in.Environment + "/" + in.Name, Detail: detail})
}

// Delete removes the application called name in env.
func (s *Service) Delete(ctx context.Context, env, name string) error {
	return db.InTx(ctx, s.db, func(q *db.Queries) error { return s.DeleteTx(ctx, q, env, name) })
}

// DeleteTx is Delete inside the caller's transaction q, with the checks Delete makes inside
// its transaction.
func (s *Service) DeleteTx(ctx context.Context, q *db.Queries, env, name string) error {
	a, err := get(ctx, q, env, name)
	if err != nil {
		return err
	}
	if err := q.DeleteApplication(ctx, a.ID); err != nil {
		return fmt.Errorf("delete application %q: %w", a.Key(), err)
	}
	return audit.Record(ctx, q, s.now().UTC(), audit.Entry{Actor: audit.Actor(ctx), Action: "delete",
		Kind: "application", Name: a.Key()})
}

// references resolves the environment and product named by in, as field errors when missing.
func references(ctx context.Context, q *db.Queries, in Input) (envID, productID int64, err error) {
	fe := fault.FieldErrors{}
	envID, err = q.GetEnvironmentID(ctx, in.Environment)
	if errors.Is(err, sql.ErrNoRows) {
		fe.Add("environment", fmt.Sprintf("there is no environment called %q", in.Environment))
	} else if err != nil {
		return 0, 0, fmt.Errorf("find environment %q: %w", in.Environment, err)
	}
	productID, err = q.GetProductID(ctx, in.Product)
	if errors.Is(err, sql.ErrNoRows) {
		fe.Add("product", fmt.Sprintf("there is no product called %q", in.Product))
	} else if err != nil {
		return 0, 0, fmt.Errorf("find product %q: %w", in.Product, err)
	}
	return envID, productID, fe.Err()
}

func unique(ctx context.Context, q *db.Queries, envID int64, in Input) error {
	n, err := q.CountApplicationsByName(ctx, db.CountApplicationsByNameParams{EnvironmentID: envID, Name: in.Name})
	if err != nil {
		return fmt.Errorf("check name %q: %w", in.Name, err)
	}
	if n > 0 {
		return fault.FieldErrors{"name": fmt.Sprintf("%q already has an application called %q", in.Environment, in.Name)}
	}
	return nil
}

func convert[R any](rows []R, to func(R) db.ListApplicationsRow) []Application {
	apps := make([]Application, 0, len(rows))
	for _, r := range rows {
		apps = append(apps, fromRow(to(r)))
	}
	return apps
}

func keys(apps []Application) []string {
	names := make([]string, 0, len(apps))
	for _, a := range apps {
		names = append(names, a.Key())
	}
	return names
}
