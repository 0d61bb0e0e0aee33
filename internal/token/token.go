// Package token owns API tokens: secrets for automation, each bound to a role, shown once at
// creation, stored only as a SHA-256 hash, revocable, with the time they were last used.
package token

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"ladder/db"
	"ladder/internal/audit"
	"ladder/internal/fault"
)

// prefix marks Ladder's tokens so secret scanners and people can recognise them.
const prefix = "ladder_"

// touchEvery limits how often a token's last-used time is written.
const touchEvery = time.Minute

// Token is one API token, without its secret.
type Token struct {
	ID         int64
	Name       string
	Role       string // viewer, promoter or admin
	CreatedBy  string
	CreatedAt  time.Time
	LastUsedAt *time.Time
	RevokedAt  *time.Time
}

// Input is what an admin sets when creating a token.
type Input struct {
	Name string `form:"name" validate:"required,dnslabel"`
	Role string `form:"role" validate:"required,oneof=viewer promoter admin"`
}

// Service creates, lists, revokes and checks API tokens.
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

// Create makes a token and returns it with its secret, which is never available again.
func (s *Service) Create(ctx context.Context, in Input) (Token, string, error) {
	in.Name = strings.TrimSpace(in.Name)
	if fe := s.check.Struct(in); len(fe) > 0 {
		return Token{}, "", fe
	}
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	secret := prefix + base64.RawURLEncoding.EncodeToString(b)
	var created Token
	err := db.InTx(ctx, s.db, func(q *db.Queries) error {
		n, err := q.CountActiveTokensByName(ctx, in.Name)
		if err != nil {
			return fmt.Errorf("check token name %q: %w", in.Name, err)
		}
		if n > 0 {
			return fault.FieldErrors{"name": fmt.Sprintf("a token called %q already exists", in.Name)}
		}
		now := s.now().UTC()
		r, err := q.CreateToken(ctx, db.CreateTokenParams{Name: in.Name, Role: in.Role, Hash: hash(secret),
			CreatedBy: audit.Actor(ctx), CreatedAt: now})
		if err != nil {
			return fmt.Errorf("create token %q: %w", in.Name, err)
		}
		created = fromRow(r)
		return audit.Record(ctx, q, now, audit.Entry{Actor: audit.Actor(ctx), Action: "create", Kind: "token",
			Name: in.Name, Detail: "role " + in.Role})
	})
	if err != nil {
		return Token{}, "", err
	}
	return created, secret, nil
}

// List returns every token, active ones first.
func (s *Service) List(ctx context.Context) ([]Token, error) {
	rows, err := s.q.ListTokens(ctx)
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	tokens := make([]Token, 0, len(rows))
	for _, r := range rows {
		tokens = append(tokens, fromRow(r))
	}
	return tokens, nil
}

// Revoke ends the token with id; requests carrying it are refused from now on.
func (s *Service) Revoke(ctx context.Context, id int64) error {
	return db.InTx(ctx, s.db, func(q *db.Queries) error {
		r, err := q.GetToken(ctx, id)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("token %d: %w", id, fault.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("get token %d: %w", id, err)
		}
		now := s.now().UTC()
		if err := q.RevokeToken(ctx, db.RevokeTokenParams{RevokedAt: sql.NullTime{Time: now, Valid: true}, ID: id}); err != nil {
			return fmt.Errorf("revoke token %q: %w", r.Name, err)
		}
		return audit.Record(ctx, q, now, audit.Entry{Actor: audit.Actor(ctx), Action: "revoke", Kind: "token",
			Name: r.Name, Detail: "id " + strconv.FormatInt(id, 10)})
	})
}

// Authenticate returns the active token whose secret is given, and notes that it was used.
func (s *Service) Authenticate(ctx context.Context, secret string) (Token, error) {
	if !strings.HasPrefix(secret, prefix) {
		return Token{}, fmt.Errorf("not a Ladder token: %w", fault.ErrUnauthenticated)
	}
	r, err := s.q.GetActiveTokenByHash(ctx, hash(secret))
	if errors.Is(err, sql.ErrNoRows) {
		return Token{}, fmt.Errorf("unknown or revoked token: %w", fault.ErrUnauthenticated)
	}
	if err != nil {
		return Token{}, fmt.Errorf("look up token: %w", err)
	}
	now := s.now().UTC()
	t := fromRow(r)
	// Most requests find the last-used time fresh and write nothing: a write takes the
	// database's write lock, which a busy API client would otherwise take on every call.
	if t.LastUsedAt != nil && now.Sub(*t.LastUsedAt) < touchEvery {
		return t, nil
	}
	if err := s.q.TouchToken(ctx, db.TouchTokenParams{LastUsedAt: sql.NullTime{Time: now, Valid: true}, ID: r.ID,
		LastUsedAt_2: sql.NullTime{Time: now.Add(-touchEvery), Valid: true}}); err != nil {
		return Token{}, fmt.Errorf("note use of token %q: %w", r.Name, err)
	}
	t.LastUsedAt = &now
	return t, nil
}

// hash is how a token is stored: SHA-256, hex. The secret has 256 random bits, so a fast hash
// is enough.
func hash(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

func fromRow(r db.ApiToken) Token {
	t := Token{ID: r.ID, Name: r.Name, Role: r.Role, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.UTC()}
	if r.LastUsedAt.Valid {
		u := r.LastUsedAt.Time.UTC()
		t.LastUsedAt = &u
	}
	if r.RevokedAt.Valid {
		u := r.RevokedAt.Time.UTC()
		t.RevokedAt = &u
	}
	return t
}
