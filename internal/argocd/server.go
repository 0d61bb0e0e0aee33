package argocd

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

// sealPurpose binds ciphertexts to Argo CD tokens.
const sealPurpose = "argocd-token"

// Server is what may be shown about an Argo CD server: everything but its token.
type Server struct {
	ID                 int64
	Name               string
	URL                string
	Insecure           bool
	CABundle           string
	SyncAfterPromotion bool
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

// Input is what a person may set on a server. An empty Token on update keeps the stored one.
type Input struct {
	Name               string `form:"name" validate:"required,dnslabel"`
	URL                string `form:"url" validate:"required,max=500"`
	Token              string `form:"token" validate:"max=10000"`
	Insecure           bool   `form:"insecure"`
	CABundle           string `form:"caBundle" validate:"max=100000"`
	SyncAfterPromotion bool   `form:"syncAfterPromotion"`
}

// Service reads and changes Argo CD servers and reaches them with their decrypted tokens.
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
	rows, err := s.q.ListArgocdServers(ctx)
	if err != nil {
		return nil, fmt.Errorf("list argo cd servers: %w", err)
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

func get(ctx context.Context, q *db.Queries, name string) (db.ArgocdServer, error) {
	r, err := q.GetArgocdServer(ctx, name)
	if errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("argo cd server %q: %w", name, fault.ErrNotFound)
	}
	if err != nil {
		return r, fmt.Errorf("get argo cd server %q: %w", name, err)
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
		r, err := q.CreateArgocdServer(ctx, db.CreateArgocdServerParams{Name: in.Name, Url: in.URL,
			Token: s.box.Seal(sealPurpose, []byte(in.Token)), Insecure: in.Insecure, CaBundle: in.CABundle,
			SyncAfterPromotion: in.SyncAfterPromotion, CreatedAt: now, UpdatedAt: now})
		if err != nil {
			return fmt.Errorf("create argo cd server %q: %w", in.Name, err)
		}
		created = fromRow(r)
		return audit.Record(ctx, q, now, audit.Entry{Actor: audit.Actor(ctx), Action: "create",
			Kind: "argocd-server", Name: in.Name, Detail: describe(in)})
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
		r, err := q.UpdateArgocdServer(ctx, db.UpdateArgocdServerParams{ID: old.ID, Name: in.Name, Url: in.URL,
			Token: sealed, Insecure: in.Insecure, CaBundle: in.CABundle, SyncAfterPromotion: in.SyncAfterPromotion, UpdatedAt: now})
		if err != nil {
			return fmt.Errorf("update argo cd server %q: %w", name, err)
		}
		updated = fromRow(r)
		return audit.Record(ctx, q, now, audit.Entry{Actor: audit.Actor(ctx), Action: "update",
			Kind: "argocd-server", Name: in.Name, Detail: detail})
	})
	return updated, err
}

// Delete removes the server called name, refused while applications link to it.
func (s *Service) Delete(ctx context.Context, name string) error {
	return db.InTx(ctx, s.db, func(q *db.Queries) error {
		r, err := get(ctx, q, name)
		if err != nil {
			return err
		}
		users, err := q.ListApplicationsOfArgocdServer(ctx, name)
		if err != nil {
			return fmt.Errorf("list applications of argo cd server %q: %w", name, err)
		}
		if len(users) > 0 {
			return fmt.Errorf("argo cd server %s is used by application %s: %w", name, strings.Join(users, ", "), fault.ErrConflict)
		}
		if err := q.DeleteArgocdServer(ctx, r.ID); err != nil {
			return fmt.Errorf("delete argo cd server %q: %w", name, err)
		}
		return audit.Record(ctx, q, s.now().UTC(), audit.Entry{Actor: audit.Actor(ctx), Action: "delete",
			Kind: "argocd-server", Name: name})
	})
}

// Exists reports whether a server called name exists (applications check their link with it).
func (s *Service) Exists(ctx context.Context, name string) (bool, error) {
	n, err := s.q.CountArgocdServersByName(ctx, name)
	return n > 0, err
}

// Client returns a client for the server called name, with its token decrypted, and the
// server's settings.
func (s *Service) Client(ctx context.Context, name string) (*Client, Server, error) {
	r, err := get(ctx, s.q, name)
	if err != nil {
		return nil, Server{}, err
	}
	token, err := s.box.Open(sealPurpose, r.Token)
	if err != nil {
		return nil, Server{}, fmt.Errorf("argo cd server %q: %w", name, err)
	}
	c, err := NewClient(r.Url, string(token), TLS{Insecure: r.Insecure, CABundle: r.CaBundle})
	return c, fromRow(r), err
}

// Test checks the connection to the server called name and says what it found:
// "connected as admin to Argo CD v2.13.0".
func (s *Service) Test(ctx context.Context, name string) (string, error) {
	c, _, err := s.Client(ctx, name)
	if err != nil {
		return "", err
	}
	user, err := c.UserInfo(ctx)
	if err != nil {
		return "", err
	}
	msg := "connected as " + user
	if v, err := c.Version(ctx); err == nil && v != "" {
		msg += " to Argo CD " + v
	}
	return msg, nil
}

func normalize(in Input) Input {
	in.Name = strings.TrimSpace(in.Name)
	in.URL = strings.TrimRight(strings.TrimSpace(in.URL), "/")
	in.Token = strings.TrimSpace(in.Token)
	in.CABundle = strings.TrimSpace(in.CABundle)
	return in
}

// checkInput adds the rules validator tags cannot say; keep reports a token is stored.
func checkInput(in Input, keep bool, fe fault.FieldErrors) {
	if in.URL != "" && !endpoint.ValidURL(in.URL) {
		fe.Add("url", "needs the server's address, e.g. https://argocd.example.com")
	}
	if in.Token == "" && !keep {
		fe.Add("token", "is required: an Argo CD API token (argocd account generate-token)")
	}
	if in.CABundle != "" && !endpoint.ValidCABundle(in.CABundle) {
		fe.Add("caBundle", "is not a PEM certificate bundle")
	}
}

func unique(ctx context.Context, q *db.Queries, name string) error {
	n, err := q.CountArgocdServersByName(ctx, name)
	if err != nil {
		return fmt.Errorf("check name %q: %w", name, err)
	}
	if n > 0 {
		return fault.FieldErrors{"name": fmt.Sprintf("an Argo CD server called %q already exists", name)}
	}
	return nil
}

func fromRow(r db.ArgocdServer) Server {
	return Server{ID: r.ID, Name: r.Name, URL: r.Url, Insecure: r.Insecure, CABundle: r.CaBundle,
		SyncAfterPromotion: r.SyncAfterPromotion, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

func describe(in Input) string {
	d := "url " + in.URL
	if in.Insecure {
		d += ", TLS not verified"
	}
	if in.SyncAfterPromotion {
		d += ", syncs after promotion"
	}
	return d
}
