package workflow

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

// Service reads and changes workflows. Every change is validated first and written together
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

// List returns every workflow by name.
func (s *Service) List(ctx context.Context) ([]Workflow, error) {
	rows, err := s.q.ListWorkflows(ctx)
	if err != nil {
		return nil, fmt.Errorf("list workflows: %w", err)
	}
	list := make([]Workflow, 0, len(rows))
	for _, r := range rows {
		w, err := fromRow(r)
		if err != nil {
			return nil, err
		}
		list = append(list, w)
	}
	return list, nil
}

// Names returns the name of every workflow, sorted, for pickers.
func (s *Service) Names(ctx context.Context) ([]string, error) {
	names, err := s.q.ListWorkflowNames(ctx)
	if err != nil {
		return nil, fmt.Errorf("list workflow names: %w", err)
	}
	return names, nil
}

// Get returns the workflow called name.
func (s *Service) Get(ctx context.Context, name string) (Workflow, error) {
	r, err := s.q.GetWorkflow(ctx, name)
	if errors.Is(err, sql.ErrNoRows) {
		return Workflow{}, fmt.Errorf("workflow %q: %w", name, fault.ErrNotFound)
	}
	if err != nil {
		return Workflow{}, fmt.Errorf("get workflow %q: %w", name, err)
	}
	return fromRow(r)
}

// Create adds a workflow.
func (s *Service) Create(ctx context.Context, in Input) (Workflow, error) {
	var created Workflow
	err := db.InTx(ctx, s.db, func(q *db.Queries) (err error) {
		created, err = s.CreateTx(ctx, q, in)
		return err
	})
	return created, err
}

// CreateTx is Create inside the caller's transaction q, so that several changes (a whole
// model being applied) commit together or not at all.
func (s *Service) CreateTx(ctx context.Context, q *db.Queries, in Input) (Workflow, error) {
	in, err := s.validate(in)
	if err != nil {
		return Workflow{}, err
	}
	if err := unique(ctx, q, in.Name); err != nil {
		return Workflow{}, err
	}
	steps, err := encodeSteps(in.Steps)
	if err != nil {
		return Workflow{}, err
	}
	now := s.now().UTC()
	r, err := q.CreateWorkflow(ctx, db.CreateWorkflowParams{Name: in.Name, Description: in.Description,
		Timeout: in.Timeout, Steps: steps, CreatedAt: now, UpdatedAt: now})
	if err != nil {
		return Workflow{}, fmt.Errorf("create workflow %q: %w", in.Name, err)
	}
	created, err := fromRow(r)
	if err != nil {
		return Workflow{}, err
	}
	return created, audit.Record(ctx, q, now, audit.Entry{Actor: audit.Actor(ctx), Action: "create",
		Kind: "workflow", Name: in.Name, Detail: stepSummary(in.Steps)})
}

// Update changes the workflow called name. A workflow that policies or flows use keeps its
// name: renaming it would leave them pointing at nothing.
func (s *Service) Update(ctx context.Context, name string, in Input) (Workflow, error) {
	var updated Workflow
	err := db.InTx(ctx, s.db, func(q *db.Queries) (err error) {
		updated, err = s.UpdateTx(ctx, q, name, in)
		return err
	})
	return updated, err
}

// UpdateTx is Update inside the caller's transaction q.
func (s *Service) UpdateTx(ctx context.Context, q *db.Queries, name string, in Input) (Workflow, error) {
	in, err := s.validate(in)
	if err != nil {
		return Workflow{}, err
	}
	old, err := q.GetWorkflow(ctx, name)
	if errors.Is(err, sql.ErrNoRows) {
		return Workflow{}, fmt.Errorf("workflow %q: %w", name, fault.ErrNotFound)
	}
	if err != nil {
		return Workflow{}, fmt.Errorf("get workflow %q: %w", name, err)
	}
	if in.Name != old.Name {
		if err := renamable(ctx, q, old.Name, in.Name); err != nil {
			return Workflow{}, err
		}
	}
	steps, err := encodeSteps(in.Steps)
	if err != nil {
		return Workflow{}, err
	}
	now := s.now().UTC()
	r, err := q.UpdateWorkflow(ctx, db.UpdateWorkflowParams{ID: old.ID, Name: in.Name,
		Description: in.Description, Timeout: in.Timeout, Steps: steps, UpdatedAt: now})
	if err != nil {
		return Workflow{}, fmt.Errorf("update workflow %q: %w", name, err)
	}
	updated, err := fromRow(r)
	if err != nil {
		return Workflow{}, err
	}
	detail := stepSummary(in.Steps)
	if in.Name != old.Name {
		detail = "renamed from " + old.Name + "; " + detail
	}
	return updated, audit.Record(ctx, q, now, audit.Entry{Actor: audit.Actor(ctx), Action: "update",
		Kind: "workflow", Name: in.Name, Detail: detail})
}

// Delete removes the workflow called name. A workflow that a policy or a flow uses is not
// deleted: the error (fault.ErrConflict) names the users.
func (s *Service) Delete(ctx context.Context, name string) error {
	return db.InTx(ctx, s.db, func(q *db.Queries) error { return s.DeleteTx(ctx, q, name) })
}

// DeleteTx is Delete inside the caller's transaction q, with the checks Delete makes inside
// its transaction.
func (s *Service) DeleteTx(ctx context.Context, q *db.Queries, name string) error {
	w, err := q.GetWorkflow(ctx, name)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("workflow %q: %w", name, fault.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("get workflow %q: %w", name, err)
	}
	users, err := Users(ctx, q, name)
	if err != nil {
		return err
	}
	if len(users) > 0 {
		return fmt.Errorf("workflow %q is used by %s; remove it from them first: %w",
			name, strings.Join(users, ", "), fault.ErrConflict)
	}
	if err := q.DeleteWorkflow(ctx, w.ID); err != nil {
		return fmt.Errorf("delete workflow %q: %w", name, err)
	}
	return audit.Record(ctx, q, s.now(), audit.Entry{Actor: audit.Actor(ctx), Action: "delete",
		Kind: "workflow", Name: name})
}

// UsersOf names the policies and flows that use the workflow called name ("policy x",
// "flow y"), empty when none does.
func (s *Service) UsersOf(ctx context.Context, name string) ([]string, error) {
	return Users(ctx, s.q, name)
}

// Users names the policies and flows that use the workflow called name, reading through q
// (which may belong to a caller's transaction).
func Users(ctx context.Context, q *db.Queries, name string) ([]string, error) {
	policies, err := q.ListPoliciesUsingWorkflow(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("find policies using workflow %q: %w", name, err)
	}
	flows, err := q.ListFlowsUsingWorkflow(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("find flows using workflow %q: %w", name, err)
	}
	users := make([]string, 0, len(policies)+len(flows))
	for _, p := range policies {
		users = append(users, "policy "+p)
	}
	for _, f := range flows {
		users = append(users, "flow "+f)
	}
	return users, nil
}

// Missing returns those of names that are not workflows, reading through q (which may belong
// to a caller's transaction). Empty names are ignored.
func Missing(ctx context.Context, q *db.Queries, names ...string) ([]string, error) {
	var missing []string
	for _, n := range names {
		if n == "" {
			continue
		}
		c, err := q.CountWorkflowsByName(ctx, n)
		if err != nil {
			return nil, fmt.Errorf("check workflow %q: %w", n, err)
		}
		if c == 0 {
			missing = append(missing, n)
		}
	}
	return missing, nil
}

func (s *Service) validate(in Input) (Input, error) {
	in.Name = strings.TrimSpace(in.Name)
	in.Description = strings.TrimSpace(in.Description)
	in.Timeout = strings.TrimSpace(in.Timeout)
	if in.Timeout == "" {
		in.Timeout = DefaultTimeout.String()
	}
	fe := s.check.Struct(in)
	if in.Name == "new" {
		fe.Add("name", `"new" is reserved for the page that creates a workflow`)
	}
	checkDuration(fe, "timeout", in.Timeout, true, time.Second, 7*24*time.Hour)
	add(fe, "", checkSteps(s.check, in.Steps))
	return in, fe.Err()
}

func unique(ctx context.Context, q *db.Queries, name string) error {
	n, err := q.CountWorkflowsByName(ctx, name)
	if err != nil {
		return fmt.Errorf("check name %q: %w", name, err)
	}
	if n > 0 {
		return fault.FieldErrors{"name": fmt.Sprintf("a workflow called %q already exists", name)}
	}
	return nil
}

func renamable(ctx context.Context, q *db.Queries, old, name string) error {
	users, err := Users(ctx, q, old)
	if err != nil {
		return err
	}
	if len(users) > 0 {
		return fault.FieldErrors{"name": fmt.Sprintf("cannot rename: %s use %q", strings.Join(users, ", "), old)}
	}
	return unique(ctx, q, name)
}

func stepSummary(steps []Step) string {
	kinds := make([]string, 0, len(steps))
	for _, s := range steps {
		kinds = append(kinds, s.Name+" ("+s.Kind+")")
	}
	return "steps: " + strings.Join(kinds, ", ")
}
