package provider

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"time"

	"ladder/db"
	"ladder/internal/fault"
	"ladder/internal/gitops"
	"ladder/internal/sealed"
	"ladder/internal/secret"
)

// Service reads and changes Git providers (List, Get, Create, Update, Delete come from the
// sealed settings service) and builds their API clients.
type Service struct {
	*sealed.Service[Provider, Input]
	client *http.Client
}

// NewService returns a Service on conn, sealing secrets with box.
func NewService(conn *sql.DB, box *secret.Box, check *fault.Validator, now func() time.Time) *Service {
	return &Service{Service: sealed.NewService(conn, box, check, now, kind),
		client: &http.Client{Timeout: 30 * time.Second}}
}

var kind = sealed.Kind[Provider, Input]{
	Noun: "git provider", Taken: "a Git provider called %q already exists", Audit: "git-provider",
	Store: store{},
	Secrets: []sealed.Secret[Input]{
		{Purpose: tokenPurpose, Changed: "token replaced", Value: func(in Input) string { return in.Token }},
		{Purpose: webhookPurpose, Changed: "webhook secret changed",
			Value: func(in Input) string { return in.WebhookSecret }, Clear: func(in Input) bool { return in.ClearWebhook }},
	},
	Name:      func(in Input) string { return in.Name },
	Normalize: normalize,
	Check:     func(in Input, old *Provider, fe fault.FieldErrors) { checkInput(in, old != nil, fe) },
	Unique:    uniquePrefix,
	Describe:  describe,
}

// For returns the API client of the provider whose URL prefix matches repoURL the longest, or
// nil when no provider serves it.
func (s *Service) For(ctx context.Context, repoURL string) (gitops.Provider, error) {
	best, err := s.Longest(ctx, repoURL, func(p Provider) string { return p.URLPrefix })
	if err != nil || best == nil {
		return nil, err
	}
	token, err := best.Open(tokenPurpose)
	if err != nil {
		return nil, err
	}
	return gitops.NewProvider(best.Value.Kind, best.Value.BaseURL, token, s.client)
}

// WebhookSecrets returns the decrypted webhook secrets of the providers of kind, for checking
// push webhooks.
func (s *Service) WebhookSecrets(ctx context.Context, kind string) ([]string, error) {
	recs, err := s.Records(ctx)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, r := range recs {
		if r.Value.Kind != kind || !r.Value.HasWebhook {
			continue
		}
		plain, err := r.Open(webhookPurpose)
		if err != nil {
			return nil, err
		}
		out = append(out, plain)
	}
	return out, nil
}

// uniquePrefix checks no other provider serves the same URL prefix.
func uniquePrefix(ctx context.Context, q *db.Queries, in Input, self string) error {
	other, err := q.GetGitProviderByPrefix(ctx, in.URLPrefix)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && other == self) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("check prefix: %w", err)
	}
	return fault.FieldErrors{"urlPrefix": fmt.Sprintf("provider %q already serves this prefix", other)}
}

// store keeps providers in the git_providers table.
type store struct{}

func (store) Get(ctx context.Context, q *db.Queries, name string) (sealed.Record[Provider], error) {
	r, err := q.GetGitProvider(ctx, name)
	return record(r), err
}

func (store) List(ctx context.Context, q *db.Queries) ([]sealed.Record[Provider], error) {
	rows, err := q.ListGitProviders(ctx)
	return sealed.Records(rows, record), err
}

func (store) Create(ctx context.Context, q *db.Queries, in Input, s map[string][]byte, now time.Time) (sealed.Record[Provider], error) {
	r, err := q.CreateGitProvider(ctx, db.CreateGitProviderParams{Name: in.Name, Kind: in.Kind,
		BaseUrl: in.BaseURL, UrlPrefix: in.URLPrefix, Token: s[tokenPurpose], WebhookSecret: s[webhookPurpose],
		CreatedAt: now, UpdatedAt: now})
	return record(r), err
}

func (store) Update(ctx context.Context, q *db.Queries, id int64, in Input, s map[string][]byte, now time.Time) (sealed.Record[Provider], error) {
	r, err := q.UpdateGitProvider(ctx, db.UpdateGitProviderParams{ID: id, Name: in.Name, Kind: in.Kind,
		BaseUrl: in.BaseURL, UrlPrefix: in.URLPrefix, Token: s[tokenPurpose], WebhookSecret: s[webhookPurpose],
		UpdatedAt: now})
	return record(r), err
}

func (store) Delete(ctx context.Context, q *db.Queries, id int64) error {
	return q.DeleteGitProvider(ctx, id)
}

func record(r db.GitProvider) sealed.Record[Provider] {
	return sealed.Record[Provider]{ID: r.ID, Name: r.Name,
		Sealed: map[string][]byte{tokenPurpose: r.Token, webhookPurpose: r.WebhookSecret},
		Value: Provider{ID: r.ID, Name: r.Name, Kind: r.Kind, BaseURL: r.BaseUrl, URLPrefix: r.UrlPrefix,
			HasWebhook: len(r.WebhookSecret) > 0, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}}
}
