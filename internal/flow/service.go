package flow

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"ladder/db"
	"ladder/internal/audit"
	"ladder/internal/environment"
	"ladder/internal/fault"
	"ladder/internal/policy"
)

// Service reads and changes flows. Every change is validated first (against the environments
// and workflows that exist) and written together with its audit record in one transaction.
type Service struct {
	db       *sql.DB
	q        *db.Queries
	check    *fault.Validator
	now      func() time.Time
	envs     *environment.Service
	policies *policy.Service
	users    []func(ctx context.Context, q *db.Queries, flow string) ([]string, error)
	names    *db.Memo[string, []string] // Names, while no flow is written
}

// RefuseDeleteWhileUsed makes Delete refuse a flow that any of users names (products list
// their flows), read through the deleting transaction; the product package provides it at
// wiring time.
func (s *Service) RefuseDeleteWhileUsed(users ...func(ctx context.Context, q *db.Queries, flow string) ([]string, error)) {
	s.users = append(s.users, users...)
}

// NewService returns a Service on conn that checks environment names with envs and resolves
// settings with policies.
func NewService(conn *sql.DB, check *fault.Validator, now func() time.Time, envs *environment.Service, policies *policy.Service) *Service {
	return &Service{db: conn, q: db.New(conn), check: check, now: now, envs: envs, policies: policies,
		names: db.NewMemo[string, []string](db.VersionOf(conn, "flows"), now)}
}

// List returns every flow by name.
func (s *Service) List(ctx context.Context) ([]Flow, error) {
	rows, err := s.q.ListFlows(ctx)
	if err != nil {
		return nil, fmt.Errorf("list flows: %w", err)
	}
	list := make([]Flow, 0, len(rows))
	for _, r := range rows {
		f, err := fromRow(r)
		if err != nil {
			return nil, err
		}
		list = append(list, f)
	}
	return list, nil
}

// Names returns every flow's name, in order. The list is shared: callers must not change it.
func (s *Service) Names(ctx context.Context) ([]string, error) {
	return s.names.Get("", func() ([]string, error) {
		names, err := s.q.ListFlowNames(ctx)
		if err != nil {
			return nil, fmt.Errorf("list flow names: %w", err)
		}
		return names, nil
	})
}

// Get returns the flow called name.
func (s *Service) Get(ctx context.Context, name string) (Flow, error) {
	r, err := s.q.GetFlow(ctx, name)
	if errors.Is(err, sql.ErrNoRows) {
		return Flow{}, fmt.Errorf("flow %q: %w", name, fault.ErrNotFound)
	}
	if err != nil {
		return Flow{}, fmt.Errorf("get flow %q: %w", name, err)
	}
	return fromRow(r)
}

// UsersOfEnvironment names the flows that use the environment called name, as trigger or
// step; deleting that environment should be refused while any does.
func (s *Service) UsersOfEnvironment(ctx context.Context, name string) ([]string, error) {
	return UsersOfEnvironmentIn(ctx, s.q, name)
}

// UsersOfEnvironmentIn is UsersOfEnvironment read through q, which may belong to a caller's
// transaction.
func UsersOfEnvironmentIn(ctx context.Context, q *db.Queries, name string) ([]string, error) {
	flows, err := q.ListFlowsUsingEnvironment(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("find flows using environment %q: %w", name, err)
	}
	return flows, nil
}

// Create adds a flow.
func (s *Service) Create(ctx context.Context, in Input) (Flow, error) {
	var created Flow
	err := db.InTx(ctx, s.db, func(q *db.Queries) (err error) {
		created, err = s.CreateTx(ctx, q, in)
		return err
	})
	return created, err
}

// CreateTx is Create inside the caller's transaction q, so that several changes (a whole
// model being applied) commit together or not at all.
func (s *Service) CreateTx(ctx context.Context, q *db.Queries, in Input) (Flow, error) {
	in, err := s.validate(ctx, q, in, "")
	if err != nil {
		return Flow{}, err
	}
	now := s.now().UTC()
	r, err := q.CreateFlow(ctx, db.CreateFlowParams{Name: in.Name, Description: in.Description,
		Version: in.Version, TriggerEnvironment: in.TriggerEnvironment, Steps: encode(in.Steps),
		Hooks: encode(in.Hooks), TimeoutMinutes: in.TimeoutMinutes, CreatedAt: now, UpdatedAt: now})
	if err != nil {
		return Flow{}, fmt.Errorf("create flow %q: %w", in.Name, err)
	}
	created, err := s.stored(ctx, q, r)
	if err != nil {
		return Flow{}, err
	}
	return created, audit.Record(ctx, q, now, audit.Entry{Actor: audit.Actor(ctx), Action: "create",
		Kind: "flow", Name: in.Name, Detail: summary(created)})
}

// Update changes the flow called name; a new name must be free.
func (s *Service) Update(ctx context.Context, name string, in Input) (Flow, error) {
	var updated Flow
	err := db.InTx(ctx, s.db, func(q *db.Queries) (err error) {
		updated, err = s.UpdateTx(ctx, q, name, in)
		return err
	})
	return updated, err
}

// UpdateTx is Update inside the caller's transaction q.
func (s *Service) UpdateTx(ctx context.Context, q *db.Queries, name string, in Input) (Flow, error) {
	old, err := q.GetFlow(ctx, name)
	if errors.Is(err, sql.ErrNoRows) {
		return Flow{}, fmt.Errorf("flow %q: %w", name, fault.ErrNotFound)
	}
	if err != nil {
		return Flow{}, fmt.Errorf("get flow %q: %w", name, err)
	}
	if in, err = s.validate(ctx, q, in, old.Name); err != nil {
		return Flow{}, err
	}
	now := s.now().UTC()
	r, err := q.UpdateFlow(ctx, db.UpdateFlowParams{ID: old.ID, Name: in.Name, Description: in.Description,
		Version: in.Version, TriggerEnvironment: in.TriggerEnvironment, Steps: encode(in.Steps),
		Hooks: encode(in.Hooks), TimeoutMinutes: in.TimeoutMinutes, UpdatedAt: now})
	if err != nil {
		return Flow{}, fmt.Errorf("update flow %q: %w", name, err)
	}
	updated, err := s.stored(ctx, q, r)
	if err != nil {
		return Flow{}, err
	}
	d := summary(updated)
	if in.Name != old.Name {
		d = "renamed from " + old.Name + "; " + d
	}
	return updated, audit.Record(ctx, q, now, audit.Entry{Actor: audit.Actor(ctx), Action: "update",
		Kind: "flow", Name: in.Name, Detail: d})
}

// Delete removes the flow called name.
func (s *Service) Delete(ctx context.Context, name string) error {
	return db.InTx(ctx, s.db, func(q *db.Queries) error { return s.DeleteTx(ctx, q, name) })
}

// DeleteTx is Delete inside the caller's transaction q: refused while a product lists the flow.
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
		return fmt.Errorf("flow %s is used by product %s; remove it from them first: %w", name, strings.Join(using, ", product "), fault.ErrConflict)
	}
	r, err := q.GetFlow(ctx, name)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("flow %q: %w", name, fault.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("get flow %q: %w", name, err)
	}
	if err := q.DeleteFlow(ctx, r.ID); err != nil {
		return fmt.Errorf("delete flow %q: %w", name, err)
	}
	return audit.Record(ctx, q, s.now(), audit.Entry{Actor: audit.Actor(ctx), Action: "delete",
		Kind: "flow", Name: name})
}

// stored decodes a written row and records what it references, for UsersOfEnvironment and
// the workflow users query.
func (s *Service) stored(ctx context.Context, q *db.Queries, r db.Flow) (Flow, error) {
	f, err := fromRow(r)
	if err != nil {
		return Flow{}, err
	}
	if err := q.DeleteFlowReferences(ctx, f.ID); err != nil {
		return Flow{}, fmt.Errorf("clear references of flow %q: %w", f.Name, err)
	}
	refs := map[string][]string{"environment": f.Environments(), "workflow": f.Workflows()}
	for kind, names := range refs {
		for _, n := range names {
			if err := q.AddFlowReference(ctx, db.AddFlowReferenceParams{FlowID: f.ID, Kind: kind, Name: n}); err != nil {
				return Flow{}, fmt.Errorf("record %s %q of flow %q: %w", kind, n, f.Name, err)
			}
		}
	}
	return f, nil
}

func summary(f Flow) string {
	return strings.Join(f.Environments(), " → ")
}
