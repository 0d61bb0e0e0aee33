package argowf

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"ladder/db"
	"ladder/internal/endpoint"
	"ladder/internal/fault"
	"ladder/internal/sealed"
	"ladder/internal/secret"
	"ladder/internal/workflow"
)

// sealPurpose binds ciphertexts to Argo Workflows tokens.
const sealPurpose = "argo-workflows-token"

// Server is what may be shown about an Argo Workflows server: everything but its token.
type Server struct {
	ID        int64
	Name      string
	URL       string
	Namespace string
	Insecure  bool
	CABundle  string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Input is what a person may set on a server. An empty Token on update keeps the stored one.
type Input struct {
	Name      string `form:"name" validate:"required,dnslabel"`
	URL       string `form:"url" validate:"required,max=500"`
	Namespace string `form:"namespace" validate:"required,dnslabel"`
	Token     string `form:"token" validate:"max=10000"`
	Insecure  bool   `form:"insecure"`
	CABundle  string `form:"caBundle" validate:"max=100000"`
}

// Service reads and changes Argo Workflows servers (List, Get, Create, Update, Delete come
// from the sealed settings service) and reaches them with their decrypted tokens. Deleting a
// server named by workflows makes their argo steps fail with a clear message; runs already
// submitted keep running on the cluster.
type Service struct {
	*sealed.Service[Server, Input]
}

// NewService returns a Service on conn, sealing tokens with box.
func NewService(conn *sql.DB, box *secret.Box, check *fault.Validator, now func() time.Time) *Service {
	return &Service{sealed.NewService(conn, box, check, now, kind)}
}

var kind = sealed.Kind[Server, Input]{
	Noun: "argo workflows server", Taken: "an Argo Workflows server called %q already exists",
	Audit: "argo-workflows-server", Store: store{},
	Secrets: []sealed.Secret[Input]{{Purpose: sealPurpose, Changed: "token replaced",
		Value: func(in Input) string { return in.Token }}},
	Name:      func(in Input) string { return in.Name },
	Normalize: normalize,
	Check:     checkInput,
	Users:     users,
	Describe:  describe,
}

// users names the workflows with argo steps on the server.
func users(ctx context.Context, q *db.Queries, name string) ([]string, error) {
	flows, err := workflow.UsersOfArgoServer(ctx, q, name)
	return sealed.Labeled("workflow", flows), err
}

// Client returns a client for the server called name, with its token decrypted.
func (s *Service) Client(ctx context.Context, name string) (*Client, error) {
	r, err := s.Record(ctx, name)
	if err != nil {
		return nil, err
	}
	token, err := r.Open(sealPurpose)
	if err != nil {
		return nil, err
	}
	v := r.Value
	return NewClient(v.URL, v.Namespace, token, TLS{Insecure: v.Insecure, CABundle: v.CABundle})
}

// Test checks the connection to the server called name and says what it found.
func (s *Service) Test(ctx context.Context, name string) (string, error) {
	c, err := s.Client(ctx, name)
	if err != nil {
		return "", err
	}
	if err := c.Check(ctx); err != nil {
		return "", err
	}
	return "connected: the token may list workflows in namespace " + c.namespace, nil
}

func normalize(in Input) Input {
	in.Name = strings.TrimSpace(in.Name)
	in.URL = strings.TrimRight(strings.TrimSpace(in.URL), "/")
	in.Namespace = strings.TrimSpace(in.Namespace)
	in.Token = strings.TrimSpace(in.Token)
	in.CABundle = strings.TrimSpace(in.CABundle)
	return in
}

// checkInput adds the rules validator tags cannot say; old is nil on create.
func checkInput(in Input, old *Server, fe fault.FieldErrors) {
	if in.URL != "" && !endpoint.ValidURL(in.URL) {
		fe.Add("url", "needs the Argo Server's address, e.g. https://argo.example.com")
	}
	if in.Token == "" && old == nil {
		fe.Add("token", "is required: a service account token allowed to create workflows in the namespace")
	}
	if in.CABundle != "" && !endpoint.ValidCABundle(in.CABundle) {
		fe.Add("caBundle", "is not a PEM certificate bundle")
	}
}

func describe(in Input) string {
	d := "url " + in.URL + ", namespace " + in.Namespace
	if in.Insecure {
		d += ", TLS not verified"
	}
	return d
}

// store keeps servers in the argo_workflows_servers table.
type store struct{}

func (store) Get(ctx context.Context, q *db.Queries, name string) (sealed.Record[Server], error) {
	r, err := q.GetArgoWorkflowsServer(ctx, name)
	return record(r), err
}

func (store) List(ctx context.Context, q *db.Queries) ([]sealed.Record[Server], error) {
	rows, err := q.ListArgoWorkflowsServers(ctx)
	return sealed.Records(rows, record), err
}

func (store) Create(ctx context.Context, q *db.Queries, in Input, s map[string][]byte, now time.Time) (sealed.Record[Server], error) {
	r, err := q.CreateArgoWorkflowsServer(ctx, db.CreateArgoWorkflowsServerParams{Name: in.Name, Url: in.URL,
		Namespace: in.Namespace, Token: s[sealPurpose], Insecure: in.Insecure, CaBundle: in.CABundle,
		CreatedAt: now, UpdatedAt: now})
	return record(r), err
}

func (store) Update(ctx context.Context, q *db.Queries, id int64, in Input, s map[string][]byte, now time.Time) (sealed.Record[Server], error) {
	r, err := q.UpdateArgoWorkflowsServer(ctx, db.UpdateArgoWorkflowsServerParams{ID: id, Name: in.Name, Url: in.URL,
		Namespace: in.Namespace, Token: s[sealPurpose], Insecure: in.Insecure, CaBundle: in.CABundle, UpdatedAt: now})
	return record(r), err
}

func (store) Delete(ctx context.Context, q *db.Queries, id int64) error {
	return q.DeleteArgoWorkflowsServer(ctx, id)
}

func record(r db.ArgoWorkflowsServer) sealed.Record[Server] {
	return sealed.Record[Server]{ID: r.ID, Name: r.Name, Sealed: map[string][]byte{sealPurpose: r.Token},
		Value: Server{ID: r.ID, Name: r.Name, URL: r.Url, Namespace: r.Namespace, Insecure: r.Insecure,
			CABundle: r.CaBundle, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}}
}
