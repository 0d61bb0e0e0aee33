package policy

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"ladder/db"
	"ladder/internal/audit"
	"ladder/internal/fault"
	"ladder/internal/workflow"
)

// reserved names would clash with the policy pages' own URLs.
var reserved = []string{"new", "evaluate"}

// Service reads and changes policies. Every change is validated first and written together
// with its audit record in one transaction.
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

// List returns every policy, highest priority first, ties by name.
func (s *Service) List(ctx context.Context) ([]Policy, error) {
	rows, err := s.q.ListPolicies(ctx)
	if err != nil {
		return nil, fmt.Errorf("list policies: %w", err)
	}
	list := make([]Policy, 0, len(rows))
	for _, r := range rows {
		p, err := fromRow(r)
		if err != nil {
			return nil, err
		}
		list = append(list, p)
	}
	return list, nil
}

// Get returns the policy called name.
func (s *Service) Get(ctx context.Context, name string) (Policy, error) {
	r, err := s.q.GetPolicy(ctx, name)
	if errors.Is(err, sql.ErrNoRows) {
		return Policy{}, fmt.Errorf("policy %q: %w", name, fault.ErrNotFound)
	}
	if err != nil {
		return Policy{}, fmt.Errorf("get policy %q: %w", name, err)
	}
	return fromRow(r)
}

// Evaluate resolves the settings of product p in environment e against every policy, with
// inline overriding them per field (pass a zero Settings for none).
func (s *Service) Evaluate(ctx context.Context, p Product, e Environment, inline Settings) (Resolution, error) {
	list, err := s.List(ctx)
	if err != nil {
		return Resolution{}, err
	}
	return Resolve(list, p, e, inline), nil
}

// Create adds a policy.
func (s *Service) Create(ctx context.Context, in Input) (Policy, error) {
	var created Policy
	err := db.InTx(ctx, s.db, func(q *db.Queries) (err error) {
		created, err = s.CreateTx(ctx, q, in)
		return err
	})
	return created, err
}

// CreateTx is Create inside the caller's transaction q, so that several changes (a whole
// model being applied) commit together or not at all.
func (s *Service) CreateTx(ctx context.Context, q *db.Queries, in Input) (Policy, error) {
	in = normalize(in)
	if fe := s.problems(in); len(fe) > 0 {
		return Policy{}, fe
	}
	if err := checkRefs(ctx, q, in, ""); err != nil {
		return Policy{}, err
	}
	now := s.now().UTC()
	r, err := q.CreatePolicy(ctx, db.CreatePolicyParams{Name: in.Name, Priority: in.Priority,
		Selector: encodeSelector(in.Selector), PreAction: in.Settings.PreAction, Action: in.Settings.Action,
		PostAction: in.Settings.PostAction, Binding: in.Binding, CreatedAt: now, UpdatedAt: now})
	if err != nil {
		return Policy{}, fmt.Errorf("create policy %q: %w", in.Name, err)
	}
	created, err := fromRow(r)
	if err != nil {
		return Policy{}, err
	}
	return created, audit.Record(ctx, q, now, audit.Entry{Actor: audit.Actor(ctx), Action: "create",
		Kind: "policy", Name: in.Name, Detail: detail(in)})
}

// Update changes the policy called name; a new name must be free.
func (s *Service) Update(ctx context.Context, name string, in Input) (Policy, error) {
	var updated Policy
	err := db.InTx(ctx, s.db, func(q *db.Queries) (err error) {
		updated, err = s.UpdateTx(ctx, q, name, in)
		return err
	})
	return updated, err
}

// UpdateTx is Update inside the caller's transaction q.
func (s *Service) UpdateTx(ctx context.Context, q *db.Queries, name string, in Input) (Policy, error) {
	in = normalize(in)
	if fe := s.problems(in); len(fe) > 0 {
		return Policy{}, fe
	}
	old, err := q.GetPolicy(ctx, name)
	if errors.Is(err, sql.ErrNoRows) {
		return Policy{}, fmt.Errorf("policy %q: %w", name, fault.ErrNotFound)
	}
	if err != nil {
		return Policy{}, fmt.Errorf("get policy %q: %w", name, err)
	}
	if err := checkRefs(ctx, q, in, old.Name); err != nil {
		return Policy{}, err
	}
	now := s.now().UTC()
	r, err := q.UpdatePolicy(ctx, db.UpdatePolicyParams{ID: old.ID, Name: in.Name, Priority: in.Priority,
		Selector: encodeSelector(in.Selector), PreAction: in.Settings.PreAction, Action: in.Settings.Action,
		PostAction: in.Settings.PostAction, Binding: in.Binding, UpdatedAt: now})
	if err != nil {
		return Policy{}, fmt.Errorf("update policy %q: %w", name, err)
	}
	updated, err := fromRow(r)
	if err != nil {
		return Policy{}, err
	}
	d := detail(in)
	if in.Name != old.Name {
		d = "renamed from " + old.Name + "; " + d
	}
	return updated, audit.Record(ctx, q, now, audit.Entry{Actor: audit.Actor(ctx), Action: "update",
		Kind: "policy", Name: in.Name, Detail: d})
}

// Delete removes the policy called name.
func (s *Service) Delete(ctx context.Context, name string) error {
	return db.InTx(ctx, s.db, func(q *db.Queries) error { return s.DeleteTx(ctx, q, name) })
}

// DeleteTx is Delete inside the caller's transaction q, with the checks Delete makes inside
// its transaction.
func (s *Service) DeleteTx(ctx context.Context, q *db.Queries, name string) error {
	p, err := q.GetPolicy(ctx, name)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("policy %q: %w", name, fault.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("get policy %q: %w", name, err)
	}
	if err := q.DeletePolicy(ctx, p.ID); err != nil {
		return fmt.Errorf("delete policy %q: %w", name, err)
	}
	return audit.Record(ctx, q, s.now(), audit.Entry{Actor: audit.Actor(ctx), Action: "delete",
		Kind: "policy", Name: name})
}

func (s *Service) problems(in Input) fault.FieldErrors {
	fe := s.check.Struct(in)
	if slices.Contains(reserved, in.Name) {
		fe.Add("name", fmt.Sprintf("%q is reserved for a page of its own", in.Name))
	}
	if in.Priority < -1_000_000 || in.Priority > 1_000_000 {
		fe.Add("priority", "must be between -1000000 and 1000000")
	}
	return fe
}

// checkRefs checks, inside the transaction, that the name is free (unless it is the policy's
// own, old) and that the workflows it names exist.
func checkRefs(ctx context.Context, q *db.Queries, in Input, old string) error {
	fe := fault.FieldErrors{}
	if in.Name != old {
		n, err := q.CountPoliciesByName(ctx, in.Name)
		if err != nil {
			return fmt.Errorf("check name %q: %w", in.Name, err)
		}
		if n > 0 {
			fe.Add("name", fmt.Sprintf("a policy called %q already exists", in.Name))
		}
	}
	for field, name := range map[string]string{"preAction": in.Settings.PreAction, "postAction": in.Settings.PostAction} {
		missing, err := workflow.Missing(ctx, q, name)
		if err != nil {
			return err
		}
		if len(missing) > 0 {
			fe.Add(field, fmt.Sprintf("there is no workflow called %q", name))
		}
	}
	return fe.Err()
}

func normalize(in Input) Input {
	in.Name = strings.TrimSpace(in.Name)
	in.Settings.PreAction = strings.TrimSpace(in.Settings.PreAction)
	in.Settings.Action = strings.TrimSpace(in.Settings.Action)
	in.Settings.PostAction = strings.TrimSpace(in.Settings.PostAction)
	return in
}

func detail(in Input) string {
	set := func(k, v string) string {
		if v == "" {
			return k + " unset"
		}
		return k + " " + v
	}
	d := fmt.Sprintf("priority %d; %s; %s; %s", in.Priority, set("pre-action", in.Settings.PreAction),
		set("action", in.Settings.Action), set("post-action", in.Settings.PostAction))
	if in.Binding {
		d += "; binding"
	}
	return d
}
