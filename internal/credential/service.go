package credential

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
	"ladder/internal/secret"
)

// Service reads and changes Git credentials, encrypting their secrets with box.
type Service struct {
	db    *sql.DB
	q     *db.Queries
	box   *secret.Box
	check *fault.Validator
	now   func() time.Time
}

// NewService returns a Service on conn.
func NewService(conn *sql.DB, box *secret.Box, check *fault.Validator, now func() time.Time) *Service {
	return &Service{db: conn, q: db.New(conn), box: box, check: check, now: now}
}

// List returns every credential, without secrets, by name.
func (s *Service) List(ctx context.Context) ([]Credential, error) {
	rows, err := s.q.ListGitCredentials(ctx)
	if err != nil {
		return nil, fmt.Errorf("list git credentials: %w", err)
	}
	list := make([]Credential, 0, len(rows))
	for _, r := range rows {
		list = append(list, fromRow(r))
	}
	return list, nil
}

// Get returns the credential called name, without its secret.
func (s *Service) Get(ctx context.Context, name string) (Credential, error) {
	r, err := get(ctx, s.q, name)
	return fromRow(r), err
}

func get(ctx context.Context, q *db.Queries, name string) (db.GitCredential, error) {
	r, err := q.GetGitCredential(ctx, name)
	if errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("git credential %q: %w", name, fault.ErrNotFound)
	}
	if err != nil {
		return r, fmt.Errorf("get git credential %q: %w", name, err)
	}
	return r, nil
}

// ForURL returns the decrypted credential whose URL prefix is the longest prefix of repoURL,
// or nil when none matches (anonymous access).
func (s *Service) ForURL(ctx context.Context, repoURL string) (*Auth, error) {
	rows, err := s.q.ListGitCredentials(ctx)
	if err != nil {
		return nil, fmt.Errorf("list git credentials: %w", err)
	}
	var best *db.GitCredential
	for i, r := range rows {
		if strings.HasPrefix(repoURL, r.UrlPrefix) && (best == nil || len(r.UrlPrefix) > len(best.UrlPrefix)) {
			best = &rows[i]
		}
	}
	if best == nil {
		return nil, nil
	}
	plain, err := s.box.Open(sealPurpose, best.Secret)
	if err != nil {
		return nil, fmt.Errorf("git credential %q: %w", best.Name, err)
	}
	a := &Auth{Name: best.Name, Kind: best.Kind, Username: best.Username, KnownHosts: best.KnownHosts}
	if best.Kind == KindSSH {
		a.PrivateKey = string(plain)
	} else {
		a.Token = string(plain)
	}
	return a, nil
}

// Create stores a new credential with its secret encrypted.
func (s *Service) Create(ctx context.Context, in Input) (Credential, error) {
	in = normalize(in)
	fe := s.check.Struct(in)
	checkInput(in, false, fe)
	if len(fe) > 0 {
		return Credential{}, fe
	}
	var created Credential
	err := db.InTx(ctx, s.db, func(q *db.Queries) error {
		if err := unique(ctx, q, in, ""); err != nil {
			return err
		}
		now := s.now().UTC()
		r, err := q.CreateGitCredential(ctx, db.CreateGitCredentialParams{
			Name: in.Name, UrlPrefix: in.URLPrefix, Kind: in.Kind, Username: in.Username,
			Secret: s.box.Seal(sealPurpose, []byte(secretOf(in))), KnownHosts: in.KnownHosts,
			CreatedAt: now, UpdatedAt: now,
		})
		if err != nil {
			return fmt.Errorf("create git credential %q: %w", in.Name, err)
		}
		created = fromRow(r)
		return audit.Record(ctx, q, now, audit.Entry{Actor: audit.Actor(ctx), Action: "create",
			Kind: "git-credential", Name: in.Name, Detail: describe(in)})
	})
	return created, err
}

// Update changes the credential called name. An empty secret keeps the stored one, unless the
// kind changes (a token cannot stand in for a key).
func (s *Service) Update(ctx context.Context, name string, in Input) (Credential, error) {
	in = normalize(in)
	var updated Credential
	err := db.InTx(ctx, s.db, func(q *db.Queries) error {
		old, err := get(ctx, q, name)
		if err != nil {
			return err
		}
		fe := s.check.Struct(in)
		checkInput(in, in.Kind == old.Kind, fe)
		if len(fe) > 0 {
			return fe
		}
		if err := unique(ctx, q, in, old.Name); err != nil {
			return err
		}
		sealed := old.Secret
		if v := secretOf(in); v != "" {
			sealed = s.box.Seal(sealPurpose, []byte(v))
		}
		now := s.now().UTC()
		r, err := q.UpdateGitCredential(ctx, db.UpdateGitCredentialParams{
			ID: old.ID, Name: in.Name, UrlPrefix: in.URLPrefix, Kind: in.Kind, Username: in.Username,
			Secret: sealed, KnownHosts: in.KnownHosts, UpdatedAt: now,
		})
		if err != nil {
			return fmt.Errorf("update git credential %q: %w", name, err)
		}
		updated = fromRow(r)
		detail := describe(in)
		if v := secretOf(in); v != "" {
			detail += "; secret replaced"
		}
		if in.Name != old.Name {
			detail = "renamed from " + old.Name + "; " + detail
		}
		return audit.Record(ctx, q, now, audit.Entry{Actor: audit.Actor(ctx), Action: "update",
			Kind: "git-credential", Name: in.Name, Detail: detail})
	})
	return updated, err
}

// Delete removes the credential called name.
func (s *Service) Delete(ctx context.Context, name string) error {
	return db.InTx(ctx, s.db, func(q *db.Queries) error {
		r, err := get(ctx, q, name)
		if err != nil {
			return err
		}
		if err := q.DeleteGitCredential(ctx, r.ID); err != nil {
			return fmt.Errorf("delete git credential %q: %w", name, err)
		}
		return audit.Record(ctx, q, s.now().UTC(), audit.Entry{Actor: audit.Actor(ctx), Action: "delete",
			Kind: "git-credential", Name: name})
	})
}

func secretOf(in Input) string {
	if in.Kind == KindSSH {
		return in.PrivateKey
	}
	return in.Token
}

// unique checks the name and the URL prefix are free, ignoring the credential called self.
func unique(ctx context.Context, q *db.Queries, in Input, self string) error {
	if in.Name != self {
		n, err := q.CountGitCredentialsByName(ctx, in.Name)
		if err != nil {
			return fmt.Errorf("check name %q: %w", in.Name, err)
		}
		if n > 0 {
			return fault.FieldErrors{"name": fmt.Sprintf("a Git credential called %q already exists", in.Name)}
		}
	}
	other, err := q.GetGitCredentialByPrefix(ctx, in.URLPrefix)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && other == self) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("check prefix: %w", err)
	}
	return fault.FieldErrors{"urlPrefix": fmt.Sprintf("credential %q already covers this prefix", other)}
}
