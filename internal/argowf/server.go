package argowf

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"ladder/db"
	"ladder/internal/audit"
	"ladder/internal/endpoint"
	"ladder/internal/fault"
	"ladder/internal/secret"
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

// Service reads and changes Argo Workflows servers and reaches them with their decrypted
// tokens.
type Service struct {
	db    *sql.DB
	q     *db.Queries
	box   *secret.Box
	check *fault.Validator
	now   func() time.Time
}

// NewService returns a Service on conn, sealing tokens with box.
func NewService(conn *sql.DB, box *secret.Box, check *fault.Validator, now func() time.Time) *Service {
	return &Service{db: conn, q: db.New(conn), box: box, check: check, now: now}
}

// List returns every server, without tokens, by name.
func (s *Service) List(ctx context.Context) ([]Server, error) {
	rows, err := s.q.ListArgoWorkflowsServers(ctx)
	if err != nil {
		return nil, fmt.Errorf("list argo workflows servers: %w", err)
	}
	out := make([]Server, 0, len(rows))
	for _, r := range rows {
		out = append(out, fromRow(r))
	}
	return out, nil
}

// Get returns the server called name, without its token.
func (s *Service) Get(ctx context.Context, name string) (Server, error) {
	r, err := get(ctx, s.q, name)
	return fromRow(r), err
}

func get(ctx context.Context, q *db.Queries, name string) (db.ArgoWorkflowsServer, error) {
	r, err := q.GetArgoWorkflowsServer(ctx, name)
	if errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("argo workflows server %q: %w", name, fault.ErrNotFound)
	}
	if err != nil {
		return r, fmt.Errorf("get argo workflows server %q: %w", name, err)
	}
	return r, nil
}

// Create stores a new server with its token sealed.
func (s *Service) Create(ctx context.Context, in Input) (Server, error) {
	in = normalize(in)
	fe := s.check.Struct(in)
	checkInput(in, false, fe)
	if len(fe) > 0 {
		return Server{}, fe
	}
	var created Server
	err := db.InTx(ctx, s.db, func(q *db.Queries) error {
		if err := unique(ctx, q, in.Name); err != nil {
			return err
		}
		now := s.now().UTC()
		r, err := q.CreateArgoWorkflowsServer(ctx, db.CreateArgoWorkflowsServerParams{Name: in.Name, Url: in.URL,
			Namespace: in.Namespace, Token: s.box.Seal(sealPurpose, []byte(in.Token)), Insecure: in.Insecure,
			CaBundle: in.CABundle, CreatedAt: now, UpdatedAt: now})
		if err != nil {
			return fmt.Errorf("create argo workflows server %q: %w", in.Name, err)
		}
		created = fromRow(r)
		return audit.Record(ctx, q, now, audit.Entry{Actor: audit.Actor(ctx), Action: "create",
			Kind: "argo-workflows-server", Name: in.Name, Detail: describe(in)})
	})
	return created, err
}

// Update changes the server called name; an empty token keeps the stored one.
func (s *Service) Update(ctx context.Context, name string, in Input) (Server, error) {
	in = normalize(in)
	var updated Server
	err := db.InTx(ctx, s.db, func(q *db.Queries) error {
		old, err := get(ctx, q, name)
		if err != nil {
			return err
		}
		fe := s.check.Struct(in)
		checkInput(in, true, fe)
		if len(fe) > 0 {
			return fe
		}
		if in.Name != old.Name {
			if err := unique(ctx, q, in.Name); err != nil {
				return err
			}
		}
		sealed, detail := old.Token, describe(in)
		if in.Token != "" {
			sealed, detail = s.box.Seal(sealPurpose, []byte(in.Token)), detail+"; token replaced"
		}
		if in.Name != old.Name {
			detail = "renamed from " + old.Name + "; " + detail
		}
		now := s.now().UTC()
		r, err := q.UpdateArgoWorkflowsServer(ctx, db.UpdateArgoWorkflowsServerParams{ID: old.ID, Name: in.Name, Url: in.URL,
			Namespace: in.Namespace, Token: sealed, Insecure: in.Insecure, CaBundle: in.CABundle, UpdatedAt: now})
		if err != nil {
			return fmt.Errorf("update argo workflows server %q: %w", name, err)
		}
		updated = fromRow(r)
		return audit.Record(ctx, q, now, audit.Entry{Actor: audit.Actor(ctx), Action: "update",
			Kind: "argo-workflows-server", Name: in.Name, Detail: detail})
	})
	return updated, err
}

// Delete removes the server called name. Workflows naming it fail their argo step with a
// clear message; runs already submitted keep running on the cluster.
func (s *Service) Delete(ctx context.Context, name string) error {
	return db.InTx(ctx, s.db, func(q *db.Queries) error {
		r, err := get(ctx, q, name)
		if err != nil {
			return err
		}
		if err := q.DeleteArgoWorkflowsServer(ctx, r.ID); err != nil {
			return fmt.Errorf("delete argo workflows server %q: %w", name, err)
		}
		return audit.Record(ctx, q, s.now().UTC(), audit.Entry{Actor: audit.Actor(ctx), Action: "delete",
			Kind: "argo-workflows-server", Name: name})
	})
}

// Client returns a client for the server called name, with its token decrypted.
func (s *Service) Client(ctx context.Context, name string) (*Client, error) {
	r, err := get(ctx, s.q, name)
	if err != nil {
		return nil, err
	}
	token, err := s.box.Open(sealPurpose, r.Token)
	if err != nil {
		return nil, fmt.Errorf("argo workflows server %q: %w", name, err)
	}
	return NewClient(r.Url, r.Namespace, string(token), TLS{Insecure: r.Insecure, CABundle: r.CaBundle})
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

// checkInput adds the rules validator tags cannot say; keep reports a token is stored.
func checkInput(in Input, keep bool, fe fault.FieldErrors) {
	if in.URL != "" && !endpoint.ValidURL(in.URL) {
		fe.Add("url", "needs the Argo Server's address, e.g. https://argo.example.com")
	}
	if in.Token == "" && !keep {
		fe.Add("token", "is required: a service account token allowed to create workflows in the namespace")
	}
	if in.CABundle != "" && !endpoint.ValidCABundle(in.CABundle) {
		fe.Add("caBundle", "is not a PEM certificate bundle")
	}
}

func unique(ctx context.Context, q *db.Queries, name string) error {
	n, err := q.CountArgoWorkflowsServersByName(ctx, name)
	if err != nil {
		return fmt.Errorf("check name %q: %w", name, err)
	}
	if n > 0 {
		return fault.FieldErrors{"name": fmt.Sprintf("an Argo Workflows server called %q already exists", name)}
	}
	return nil
}

func fromRow(r db.ArgoWorkflowsServer) Server {
	return Server{ID: r.ID, Name: r.Name, URL: r.Url, Namespace: r.Namespace, Insecure: r.Insecure,
		CABundle: r.CaBundle, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

func describe(in Input) string {
	d := "url " + in.URL + ", namespace " + in.Namespace
	if in.Insecure {
		d += ", TLS not verified"
	}
	return d
}
