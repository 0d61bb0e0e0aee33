package credential

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"ladder/db"
	"ladder/internal/fault"
	"ladder/internal/sealed"
	"ladder/internal/secret"
)

// Service reads and changes Git credentials (List, Get, Create, Update, Delete come from the
// sealed settings service), encrypting their secrets. An empty secret on update keeps the
// stored one, unless the kind changes (a token cannot stand in for a key).
type Service struct {
	*sealed.Service[Credential, Input]
}

// NewService returns a Service on conn.
func NewService(conn *sql.DB, box *secret.Box, check *fault.Validator, now func() time.Time) *Service {
	return &Service{sealed.NewService(conn, box, check, now, kind)}
}

var kind = sealed.Kind[Credential, Input]{
	Noun: "git credential", Taken: "a Git credential called %q already exists", Audit: "git-credential",
	Store:     store{},
	Secrets:   []sealed.Secret[Input]{{Purpose: sealPurpose, Changed: "secret replaced", Value: secretOf}},
	Name:      func(in Input) string { return in.Name },
	Normalize: normalize,
	Check: func(in Input, old *Credential, fe fault.FieldErrors) {
		checkInput(in, old != nil && old.Kind == in.Kind, fe)
	},
	Unique:   uniquePrefix,
	Users:    users,
	Describe: describe,
}

// users names the model repository when it reads with the credential.
func users(ctx context.Context, q *db.Queries, name string) ([]string, error) {
	repo, err := q.GetModelRepository(ctx)
	switch {
	case errors.Is(err, sql.ErrNoRows): // no model repository is set
		return nil, nil
	case err != nil:
		return nil, err
	case repo.Credential == name:
		return []string{"the model repository"}, nil
	}
	return nil, nil
}

// ForURL returns the decrypted credential whose URL prefix is the longest prefix of repoURL,
// or nil when none matches (anonymous access).
func (s *Service) ForURL(ctx context.Context, repoURL string) (*Auth, error) {
	best, err := s.Longest(ctx, repoURL, func(c Credential) string { return c.URLPrefix })
	if err != nil || best == nil {
		return nil, err
	}
	plain, err := best.Open(sealPurpose)
	if err != nil {
		return nil, err
	}
	c := best.Value
	a := &Auth{Name: c.Name, Kind: c.Kind, Username: c.Username, KnownHosts: c.KnownHosts}
	if c.Kind == KindSSH {
		a.PrivateKey = plain
	} else {
		a.Token = plain
	}
	return a, nil
}

func secretOf(in Input) string {
	if in.Kind == KindSSH {
		return in.PrivateKey
	}
	return in.Token
}

// uniquePrefix checks no other credential covers the same URL prefix.
func uniquePrefix(ctx context.Context, q *db.Queries, in Input, self string) error {
	other, err := q.GetGitCredentialByPrefix(ctx, in.URLPrefix)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && other == self) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("check prefix: %w", err)
	}
	return fault.FieldErrors{"urlPrefix": fmt.Sprintf("credential %q already covers this prefix", other)}
}

// store keeps credentials in the git_credentials table.
type store struct{}

func (store) Get(ctx context.Context, q *db.Queries, name string) (sealed.Record[Credential], error) {
	r, err := q.GetGitCredential(ctx, name)
	return record(r), err
}

func (store) List(ctx context.Context, q *db.Queries) ([]sealed.Record[Credential], error) {
	rows, err := q.ListGitCredentials(ctx)
	return sealed.Records(rows, record), err
}

func (store) Create(ctx context.Context, q *db.Queries, in Input, s map[string][]byte, now time.Time) (sealed.Record[Credential], error) {
	r, err := q.CreateGitCredential(ctx, db.CreateGitCredentialParams{
		Name: in.Name, UrlPrefix: in.URLPrefix, Kind: in.Kind, Username: in.Username,
		Secret: s[sealPurpose], KnownHosts: in.KnownHosts, CreatedAt: now, UpdatedAt: now,
	})
	return record(r), err
}

func (store) Update(ctx context.Context, q *db.Queries, id int64, in Input, s map[string][]byte, now time.Time) (sealed.Record[Credential], error) {
	r, err := q.UpdateGitCredential(ctx, db.UpdateGitCredentialParams{
		ID: id, Name: in.Name, UrlPrefix: in.URLPrefix, Kind: in.Kind, Username: in.Username,
		Secret: s[sealPurpose], KnownHosts: in.KnownHosts, UpdatedAt: now,
	})
	return record(r), err
}

func (store) Delete(ctx context.Context, q *db.Queries, id int64) error {
	return q.DeleteGitCredential(ctx, id)
}

func record(r db.GitCredential) sealed.Record[Credential] {
	return sealed.Record[Credential]{ID: r.ID, Name: r.Name, Sealed: map[string][]byte{sealPurpose: r.Secret},
		Value: Credential{ID: r.ID, Name: r.Name, URLPrefix: r.UrlPrefix, Kind: r.Kind, Username: r.Username,
			KnownHosts: r.KnownHosts, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}}
}
