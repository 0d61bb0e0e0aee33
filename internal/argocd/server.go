package argocd

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

// Service reads and changes Argo CD servers (List, Get, Create, Update, Delete, Exists come
// from the sealed settings service) and reaches them with their decrypted tokens.
type Service struct {
	*sealed.Service[Server, Input]
}

// NewService returns a Service on conn, sealing tokens with box.
func NewService(conn *sql.DB, box *secret.Box, check *fault.Validator, now func() time.Time) *Service {
	return &Service{sealed.NewService(conn, box, check, now, kind)}
}

var kind = sealed.Kind[Server, Input]{
	Noun: "argo cd server", Taken: "an Argo CD server called %q already exists", Audit: "argocd-server",
	Store: store{},
	Secrets: []sealed.Secret[Input]{{Purpose: sealPurpose, Changed: "token replaced",
		Value: func(in Input) string { return in.Token }}},
	Name:      func(in Input) string { return in.Name },
	Normalize: normalize,
	Check:     checkInput,
	Users:     users,
	Describe:  describe,
}

// Client returns a client for the server called name, with its token decrypted, and the
// server's settings.
func (s *Service) Client(ctx context.Context, name string) (*Client, Server, error) {
	r, err := s.Record(ctx, name)
	if err != nil {
		return nil, Server{}, err
	}
	token, err := r.Open(sealPurpose)
	if err != nil {
		return nil, Server{}, err
	}
	c, err := NewClient(r.Value.URL, token, TLS{Insecure: r.Value.Insecure, CABundle: r.Value.CABundle})
	return c, r.Value, err
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

// checkInput adds the rules validator tags cannot say; old is nil on create.
func checkInput(in Input, old *Server, fe fault.FieldErrors) {
	if in.URL != "" && !endpoint.ValidURL(in.URL) {
		fe.Add("url", "needs the server's address, e.g. https://argocd.example.com")
	}
	if in.Token == "" && old == nil {
		fe.Add("token", "is required: an Argo CD API token (argocd account generate-token)")
	}
	if in.CABundle != "" && !endpoint.ValidCABundle(in.CABundle) {
		fe.Add("caBundle", "is not a PEM certificate bundle")
	}
}

// users names the applications that link to the server.
func users(ctx context.Context, q *db.Queries, name string) ([]string, error) {
	apps, err := q.ListApplicationsOfArgocdServer(ctx, name)
	return sealed.Labeled("application", apps), err
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

// store keeps servers in the argocd_servers table.
type store struct{}

func (store) Get(ctx context.Context, q *db.Queries, name string) (sealed.Record[Server], error) {
	r, err := q.GetArgocdServer(ctx, name)
	return record(r), err
}

func (store) List(ctx context.Context, q *db.Queries) ([]sealed.Record[Server], error) {
	rows, err := q.ListArgocdServers(ctx)
	return sealed.Records(rows, record), err
}

func (store) Create(ctx context.Context, q *db.Queries, in Input, s map[string][]byte, now time.Time) (sealed.Record[Server], error) {
	r, err := q.CreateArgocdServer(ctx, db.CreateArgocdServerParams{Name: in.Name, Url: in.URL,
		Token: s[sealPurpose], Insecure: in.Insecure, CaBundle: in.CABundle,
		SyncAfterPromotion: in.SyncAfterPromotion, CreatedAt: now, UpdatedAt: now})
	return record(r), err
}

func (store) Update(ctx context.Context, q *db.Queries, id int64, in Input, s map[string][]byte, now time.Time) (sealed.Record[Server], error) {
	r, err := q.UpdateArgocdServer(ctx, db.UpdateArgocdServerParams{ID: id, Name: in.Name, Url: in.URL,
		Token: s[sealPurpose], Insecure: in.Insecure, CaBundle: in.CABundle,
		SyncAfterPromotion: in.SyncAfterPromotion, UpdatedAt: now})
	return record(r), err
}

func (store) Delete(ctx context.Context, q *db.Queries, id int64) error {
	return q.DeleteArgocdServer(ctx, id)
}

func record(r db.ArgocdServer) sealed.Record[Server] {
	return sealed.Record[Server]{ID: r.ID, Name: r.Name, Sealed: map[string][]byte{sealPurpose: r.Token},
		Value: Server{ID: r.ID, Name: r.Name, URL: r.Url, Insecure: r.Insecure, CABundle: r.CaBundle,
			SyncAfterPromotion: r.SyncAfterPromotion, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}}
}
