package environment

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"ladder/db"
	"ladder/internal/audit"
	"ladder/internal/fault"
)

// Service reads and changes environments. Every change is validated first and written together
// with its audit record in one transaction.
type Service struct {
	db    *sql.DB
	q     *db.Queries
	check *fault.Validator
	now   func() time.Time
	users []UsersFunc
}

// UsersFunc names what uses an environment (e.g. "application dev/api"), read through q (the
// deleting transaction), so that deleting it can be refused with a message naming them.
type UsersFunc func(ctx context.Context, q *db.Queries, env string) ([]string, error)

// RefuseDeleteWhileUsed makes Delete refuse an environment that any of users reports in use.
// The packages that refer to environments (applications, flows) provide them at wiring time.
func (s *Service) RefuseDeleteWhileUsed(users ...UsersFunc) { s.users = append(s.users, users...) }

// NewService returns a Service on conn.
func NewService(conn *sql.DB, check *fault.Validator, now func() time.Time) *Service {
	return &Service{db: conn, q: db.New(conn), check: check, now: now}
}

// List returns every environment in dashboard order.
func (s *Service) List(ctx context.Context) ([]Environment, error) {
	rows, err := s.q.ListEnvironments(ctx)
	if err != nil {
		return nil, fmt.Errorf("list environments: %w", err)
	}
	envs := make([]Environment, 0, len(rows))
	for _, r := range rows {
		e, err := fromRow(r)
		if err != nil {
			return nil, err
		}
		envs = append(envs, e)
	}
	return envs, nil
}

// Get returns the environment called name.
func (s *Service) Get(ctx context.Context, name string) (Environment, error) {
	return get(ctx, s.q, name)
}

func get(ctx context.Context, q *db.Queries, name string) (Environment, error) {
	r, err := q.GetEnvironment(ctx, name)
	if errors.Is(err, sql.ErrNoRows) {
		return Environment{}, fmt.Errorf("environment %q: %w", name, fault.ErrNotFound)
	}
	if err != nil {
		return Environment{}, fmt.Errorf("get environment %q: %w", name, err)
	}
	return fromRow(r)
}

// Create adds an environment at the end of the order.
func (s *Service) Create(ctx context.Context, in Input) (Environment, error) {
	var created Environment
	err := db.InTx(ctx, s.db, func(q *db.Queries) (err error) {
		created, err = s.CreateTx(ctx, q, in)
		return err
	})
	return created, err
}

// CreateTx is Create inside the caller's transaction q, so that several changes (a whole
// model being applied) commit together or not at all.
func (s *Service) CreateTx(ctx context.Context, q *db.Queries, in Input) (Environment, error) {
	in = normalize(in)
	if fe := s.check.Struct(in); len(fe) > 0 {
		return Environment{}, fe
	}
	if err := unique(ctx, q, in.Name); err != nil {
		return Environment{}, err
	}
	pos, err := q.NextEnvironmentPosition(ctx)
	if err != nil {
		return Environment{}, fmt.Errorf("next position: %w", err)
	}
	now := s.now().UTC()
	r, err := q.CreateEnvironment(ctx, db.CreateEnvironmentParams{
		Name: in.Name, Kind: in.Kind, Position: pos, Tags: encodeTags(in.Tags),
		Description: in.Description, CreatedAt: now, UpdatedAt: now,
	})
	if err != nil {
		return Environment{}, fmt.Errorf("create environment %q: %w", in.Name, err)
	}
	created, err := fromRow(r)
	if err != nil {
		return Environment{}, err
	}
	return created, audit.Record(ctx, q, now, audit.Entry{Actor: audit.Actor(ctx), Action: "create",
		Kind: "environment", Name: in.Name, Detail: "kind " + in.Kind})
}

// Update changes the environment called name; a new name must be free.
func (s *Service) Update(ctx context.Context, name string, in Input) (Environment, error) {
	var updated Environment
	err := db.InTx(ctx, s.db, func(q *db.Queries) (err error) {
		updated, err = s.UpdateTx(ctx, q, name, in)
		return err
	})
	return updated, err
}

// UpdateTx is Update inside the caller's transaction q.
func (s *Service) UpdateTx(ctx context.Context, q *db.Queries, name string, in Input) (Environment, error) {
	in = normalize(in)
	if fe := s.check.Struct(in); len(fe) > 0 {
		return Environment{}, fe
	}
	old, err := get(ctx, q, name)
	if err != nil {
		return Environment{}, err
	}
	if in.Name != old.Name {
		if err := unique(ctx, q, in.Name); err != nil {
			return Environment{}, err
		}
	}
	now := s.now().UTC()
	r, err := q.UpdateEnvironment(ctx, db.UpdateEnvironmentParams{
		ID: old.ID, Name: in.Name, Kind: in.Kind, Tags: encodeTags(in.Tags),
		Description: in.Description, UpdatedAt: now,
	})
	if err != nil {
		return Environment{}, fmt.Errorf("update environment %q: %w", name, err)
	}
	updated, err := fromRow(r)
	if err != nil {
		return Environment{}, err
	}
	detail := "kind " + in.Kind
	if in.Name != old.Name {
		detail = "renamed from " + old.Name + "; " + detail
	}
	return updated, audit.Record(ctx, q, now, audit.Entry{Actor: audit.Actor(ctx), Action: "update",
		Kind: "environment", Name: in.Name, Detail: detail})
}

// Delete removes the environment called name.
func (s *Service) Delete(ctx context.Context, name string) error {
	return db.InTx(ctx, s.db, func(q *db.Queries) error { return s.DeleteTx(ctx, q, name) })
}

// DeleteTx is Delete inside the caller's transaction q: refused while anything uses the
// environment.
func (s *Service) DeleteTx(ctx context.Context, q *db.Queries, name string) error {
	var using []string
	for _, users := range s.users {
		u, err := users(ctx, q, name)
		if err != nil {
			return err
		}
		using = append(using, u...)
	}
	if len(using) > 0 {
		return fmt.Errorf("environment %s is used by %s; change or delete them first: %w", name, strings.Join(using, ", "), fault.ErrConflict)
	}
	e, err := get(ctx, q, name)
	if err != nil {
		return err
	}
	if err := q.DeleteEnvironment(ctx, e.ID); err != nil {
		return fmt.Errorf("delete environment %q: %w", name, err)
	}
	return audit.Record(ctx, q, s.now(), audit.Entry{Actor: audit.Actor(ctx), Action: "delete",
		Kind: "environment", Name: name})
}

func normalize(in Input) Input {
	in.Name = strings.TrimSpace(in.Name)
	in.Kind = strings.TrimSpace(in.Kind)
	in.Description = strings.TrimSpace(in.Description)
	return in
}

func unique(ctx context.Context, q *db.Queries, name string) error {
	n, err := q.CountEnvironmentsByName(ctx, name)
	if err != nil {
		return fmt.Errorf("check name %q: %w", name, err)
	}
	if n > 0 {
		return fault.FieldErrors{"name": fmt.Sprintf("an environment called %q already exists", name)}
	}
	return nil
}

func nullTime(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
}
