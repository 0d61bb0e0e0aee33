package provider

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"ladder/db"
	"ladder/internal/audit"
	"ladder/internal/fault"
	"ladder/internal/gitops"
	"ladder/internal/secret"
)

// Service reads and changes Git providers and builds their API clients.
type Service struct {
	db     *sql.DB
	q      *db.Queries
	box    *secret.Box
	check  *fault.Validator
	now    func() time.Time
	client *http.Client
}

// NewService returns a Service on conn, sealing secrets with box.
func NewService(conn *sql.DB, box *secret.Box, check *fault.Validator, now func() time.Time) *Service {
	return &Service{db: conn, q: db.New(conn), box: box, check: check, now: now,
		client: &http.Client{Timeout: 30 * time.Second}}
}

// List returns every provider, without secrets, by name.
func (s *Service) List(ctx context.Context) ([]Provider, error) {
	rows, err := s.q.ListGitProviders(ctx)
	if err != nil {
		return nil, fmt.Errorf("list git providers: %w", err)
	}
	out := make([]Provider, 0, len(rows))
	for _, r := range rows {
		out = append(out, fromRow(r))
	}
	return out, nil
}

// Get returns the provider called name, without its secrets.
func (s *Service) Get(ctx context.Context, name string) (Provider, error) {
	r, err := get(ctx, s.q, name)
	return fromRow(r), err
}

func get(ctx context.Context, q *db.Queries, name string) (db.GitProvider, error) {
	r, err := q.GetGitProvider(ctx, name)
	if errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("git provider %q: %w", name, fault.ErrNotFound)
	}
	if err != nil {
		return r, fmt.Errorf("get git provider %q: %w", name, err)
	}
	return r, nil
}

// Create stores a new provider with its secrets sealed.
func (s *Service) Create(ctx context.Context, in Input) (Provider, error) {
	in = normalize(in)
	fe := s.check.Struct(in)
	checkInput(in, false, fe)
	if len(fe) > 0 {
		return Provider{}, fe
	}
	var created Provider
	err := db.InTx(ctx, s.db, func(q *db.Queries) error {
		if err := unique(ctx, q, in, ""); err != nil {
			return err
		}
		now := s.now().UTC()
		r, err := q.CreateGitProvider(ctx, db.CreateGitProviderParams{Name: in.Name, Kind: in.Kind,
			BaseUrl: in.BaseURL, UrlPrefix: in.URLPrefix, Token: s.box.Seal(tokenPurpose, []byte(in.Token)),
			WebhookSecret: s.sealWebhook(nil, in), CreatedAt: now, UpdatedAt: now})
		if err != nil {
			return fmt.Errorf("create git provider %q: %w", in.Name, err)
		}
		created = fromRow(r)
		return audit.Record(ctx, q, now, audit.Entry{Actor: audit.Actor(ctx), Action: "create",
			Kind: "git-provider", Name: in.Name, Detail: describe(in)})
	})
	return created, err
}

// Update changes the provider called name; empty secrets keep the stored ones.
func (s *Service) Update(ctx context.Context, name string, in Input) (Provider, error) {
	in = normalize(in)
	var updated Provider
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
		if err := unique(ctx, q, in, old.Name); err != nil {
			return err
		}
		token, detail := old.Token, describe(in)
		if in.Token != "" {
			token, detail = s.box.Seal(tokenPurpose, []byte(in.Token)), detail+"; token replaced"
		}
		if in.WebhookSecret != "" || in.ClearWebhook {
			detail += "; webhook secret changed"
		}
		if in.Name != old.Name {
			detail = "renamed from " + old.Name + "; " + detail
		}
		now := s.now().UTC()
		r, err := q.UpdateGitProvider(ctx, db.UpdateGitProviderParams{ID: old.ID, Name: in.Name, Kind: in.Kind,
			BaseUrl: in.BaseURL, UrlPrefix: in.URLPrefix, Token: token, WebhookSecret: s.sealWebhook(old.WebhookSecret, in),
			UpdatedAt: now})
		if err != nil {
			return fmt.Errorf("update git provider %q: %w", name, err)
		}
		updated = fromRow(r)
		return audit.Record(ctx, q, now, audit.Entry{Actor: audit.Actor(ctx), Action: "update",
			Kind: "git-provider", Name: in.Name, Detail: detail})
	})
	return updated, err
}

// sealWebhook returns the webhook secret to store: the new one sealed, none when cleared, else
// the old one.
func (s *Service) sealWebhook(old []byte, in Input) []byte {
	switch {
	case in.WebhookSecret != "":
		return s.box.Seal(webhookPurpose, []byte(in.WebhookSecret))
	case in.ClearWebhook:
		return nil
	}
	return old
}

// Delete removes the provider called name.
func (s *Service) Delete(ctx context.Context, name string) error {
	return db.InTx(ctx, s.db, func(q *db.Queries) error {
		r, err := get(ctx, q, name)
		if err != nil {
			return err
		}
		if err := q.DeleteGitProvider(ctx, r.ID); err != nil {
			return fmt.Errorf("delete git provider %q: %w", name, err)
		}
		return audit.Record(ctx, q, s.now().UTC(), audit.Entry{Actor: audit.Actor(ctx), Action: "delete",
			Kind: "git-provider", Name: name})
	})
}

// For returns the API client of the provider whose URL prefix matches repoURL the longest, or
// nil when no provider serves it.
func (s *Service) For(ctx context.Context, repoURL string) (gitops.Provider, error) {
	rows, err := s.q.ListGitProviders(ctx)
	if err != nil {
		return nil, fmt.Errorf("list git providers: %w", err)
	}
	var best *db.GitProvider
	for i, r := range rows {
		if strings.HasPrefix(repoURL, r.UrlPrefix) && (best == nil || len(r.UrlPrefix) > len(best.UrlPrefix)) {
			best = &rows[i]
		}
	}
	if best == nil {
		return nil, nil
	}
	token, err := s.box.Open(tokenPurpose, best.Token)
	if err != nil {
		return nil, fmt.Errorf("git provider %q: %w", best.Name, err)
	}
	return gitops.NewProvider(best.Kind, best.BaseUrl, string(token), s.client)
}

// WebhookSecrets returns the decrypted webhook secrets of the providers of kind, for checking
// push webhooks.
func (s *Service) WebhookSecrets(ctx context.Context, kind string) ([]string, error) {
	rows, err := s.q.ListGitProviders(ctx)
	if err != nil {
		return nil, fmt.Errorf("list git providers: %w", err)
	}
	var out []string
	for _, r := range rows {
		if r.Kind != kind || len(r.WebhookSecret) == 0 {
			continue
		}
		plain, err := s.box.Open(webhookPurpose, r.WebhookSecret)
		if err != nil {
			return nil, fmt.Errorf("git provider %q: %w", r.Name, err)
		}
		out = append(out, string(plain))
	}
	return out, nil
}

// unique checks the name and the URL prefix are free, ignoring the provider called self.
func unique(ctx context.Context, q *db.Queries, in Input, self string) error {
	if in.Name != self {
		n, err := q.CountGitProvidersByName(ctx, in.Name)
		if err != nil {
			return fmt.Errorf("check name %q: %w", in.Name, err)
		}
		if n > 0 {
			return fault.FieldErrors{"name": fmt.Sprintf("a Git provider called %q already exists", in.Name)}
		}
	}
	other, err := q.GetGitProviderByPrefix(ctx, in.URLPrefix)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && other == self) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("check prefix: %w", err)
	}
	return fault.FieldErrors{"urlPrefix": fmt.Sprintf("provider %q already serves this prefix", other)}
}
