// Package stepsecret owns workflow secrets: named values, sealed at rest with AES-GCM like Git
// credentials, that workflow steps refer to by name — {{secret "name"}} in an HTTP step's
// header values or body, or in an exec step's environment. Only admins manage them; a value
// is never shown again, never part of the YAML model, and masked in step logs.
package stepsecret

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"ladder/db"
	"ladder/internal/fault"
	"ladder/internal/sealed"
	"ladder/internal/secret"
	"ladder/internal/workflow"
)

// sealPurpose binds ciphertexts to workflow secrets.
const sealPurpose = "workflow-secret"

// Secret is what may be shown about a workflow secret: everything but its value.
type Secret struct {
	ID          int64
	Name        string
	Description string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Input is what an admin sets on a secret. An empty Value on update keeps the stored one.
type Input struct {
	Name        string `form:"name" validate:"required,dnslabel"`
	Description string `form:"description" validate:"max=1000"`
	Value       string `form:"value" validate:"max=10000"`
}

// Service reads and changes workflow secrets (List, Get, Create, Update, Delete come from the
// sealed settings service) and gives their values to the runner.
type Service struct {
	*sealed.Service[Secret, Input]
}

// NewService returns a Service on conn, sealing values with box.
func NewService(conn *sql.DB, box *secret.Box, check *fault.Validator, now func() time.Time) *Service {
	return &Service{sealed.NewService(conn, box, check, now, kind)}
}

var kind = sealed.Kind[Secret, Input]{
	Noun: "workflow secret", Taken: "a workflow secret called %q already exists", Audit: "workflow-secret",
	Store: store{},
	Secrets: []sealed.Secret[Input]{{Purpose: sealPurpose, Changed: "value replaced",
		Value: func(in Input) string { return in.Value }}},
	Name: func(in Input) string { return in.Name },
	Normalize: func(in Input) Input {
		in.Name, in.Description = strings.TrimSpace(in.Name), strings.TrimSpace(in.Description)
		return in // the value is kept exactly as given: spaces may belong to it
	},
	Check: func(in Input, old *Secret, fe fault.FieldErrors) {
		if in.Value == "" && old == nil {
			fe.Add("value", "is required")
		}
	},
	Describe: func(in Input) string { return "description " + in.Description },
	Users: func(ctx context.Context, q *db.Queries, name string) ([]string, error) {
		flows, err := workflow.UsersOfSecret(ctx, q, name)
		return sealed.Labeled("workflow", flows), err
	},
}

// Value returns the plaintext of the secret called name, for a workflow step.
func (s *Service) Value(ctx context.Context, name string) (string, error) {
	r, err := s.Record(ctx, name)
	if err != nil {
		return "", err
	}
	return r.Open(sealPurpose)
}

// store keeps secrets in the workflow_secrets table.
type store struct{}

func (store) Get(ctx context.Context, q *db.Queries, name string) (sealed.Record[Secret], error) {
	r, err := q.GetWorkflowSecret(ctx, name)
	return record(r), err
}

func (store) List(ctx context.Context, q *db.Queries) ([]sealed.Record[Secret], error) {
	rows, err := q.ListWorkflowSecrets(ctx)
	return sealed.Records(rows, record), err
}

func (store) Create(ctx context.Context, q *db.Queries, in Input, s map[string][]byte, now time.Time) (sealed.Record[Secret], error) {
	r, err := q.CreateWorkflowSecret(ctx, db.CreateWorkflowSecretParams{Name: in.Name, Description: in.Description,
		Value: s[sealPurpose], CreatedAt: now, UpdatedAt: now})
	return record(r), err
}

func (store) Update(ctx context.Context, q *db.Queries, id int64, in Input, s map[string][]byte, now time.Time) (sealed.Record[Secret], error) {
	r, err := q.UpdateWorkflowSecret(ctx, db.UpdateWorkflowSecretParams{ID: id, Name: in.Name, Description: in.Description,
		Value: s[sealPurpose], UpdatedAt: now})
	return record(r), err
}

func (store) Delete(ctx context.Context, q *db.Queries, id int64) error {
	return q.DeleteWorkflowSecret(ctx, id)
}

func record(r db.WorkflowSecret) sealed.Record[Secret] {
	return sealed.Record[Secret]{ID: r.ID, Name: r.Name, Sealed: map[string][]byte{sealPurpose: r.Value},
		Value: Secret{ID: r.ID, Name: r.Name, Description: r.Description, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}}
}
