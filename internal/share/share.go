// Package share owns share links: a token that lets anyone holding it watch one release's
// status without signing in. A token is 256 random bits, shown once when the link is made;
// only its SHA-256 is stored. A link may expire and can be revoked; an unknown, expired or
// revoked token is simply not found.
package share

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"ladder/db"
	"ladder/internal/audit"
	"ladder/internal/fault"
)

// Link is one share link, without its token.
type Link struct {
	ID        int64
	ReleaseID string
	Product   string // set by List
	Number    int64  // set by List
	CreatedBy string
	CreatedAt time.Time
	ExpiresAt *time.Time
	RevokedAt *time.Time
}

// Active reports whether the link still opens its page at now.
func (l Link) Active(now time.Time) bool {
	return l.RevokedAt == nil && (l.ExpiresAt == nil || now.Before(*l.ExpiresAt))
}

// Service creates, lists, revokes and resolves share links.
type Service struct {
	db  *sql.DB
	q   *db.Queries
	now func() time.Time
}

// NewService returns a Service on conn.
func NewService(conn *sql.DB, now func() time.Time) *Service {
	return &Service{db: conn, q: db.New(conn), now: now}
}

// Create makes a link to release releaseID that expires after ttl (never when ttl is 0) and
// returns it with its token, which is never available again.
func (s *Service) Create(ctx context.Context, releaseID string, ttl time.Duration) (Link, string, error) {
	if ttl < 0 {
		return Link{}, "", fault.FieldErrors{"expires": "must be in the future"}
	}
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	token := base64.RawURLEncoding.EncodeToString(b)
	now := s.now().UTC()
	var expires sql.NullTime
	if ttl > 0 {
		expires = sql.NullTime{Time: now.Add(ttl), Valid: true}
	}
	var link Link
	err := db.InTx(ctx, s.db, func(q *db.Queries) error {
		if _, err := q.GetRelease(ctx, releaseID); errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("release %q: %w", releaseID, fault.ErrNotFound)
		} else if err != nil {
			return fmt.Errorf("get release %q: %w", releaseID, err)
		}
		row, err := q.CreateShareLink(ctx, db.CreateShareLinkParams{ReleaseID: releaseID, Hash: hash(token),
			CreatedBy: audit.Actor(ctx), CreatedAt: now, ExpiresAt: expires})
		if err != nil {
			return fmt.Errorf("create share link: %w", err)
		}
		link = fromRow(row)
		return audit.Record(ctx, q, now, audit.Entry{Actor: audit.Actor(ctx), Action: "create", Kind: "share-link",
			Name: fmt.Sprint(link.ID), Detail: "release " + releaseID + expiry(link)})
	})
	if err != nil {
		return Link{}, "", err
	}
	return link, token, nil
}

// OfRelease returns the links made for release releaseID, newest first.
func (s *Service) OfRelease(ctx context.Context, releaseID string) ([]Link, error) {
	rows, err := s.q.ListShareLinksOfRelease(ctx, releaseID)
	if err != nil {
		return nil, fmt.Errorf("list share links of release %s: %w", releaseID, err)
	}
	links := make([]Link, 0, len(rows))
	for _, r := range rows {
		links = append(links, fromRow(r))
	}
	return links, nil
}

// List returns up to limit links of every release, active ones first, newest first.
func (s *Service) List(ctx context.Context, limit int) ([]Link, error) {
	rows, err := s.q.ListShareLinks(ctx, int64(limit))
	if err != nil {
		return nil, fmt.Errorf("list share links: %w", err)
	}
	links := make([]Link, 0, len(rows))
	for _, r := range rows {
		l := fromRow(db.ShareLink{ID: r.ID, ReleaseID: r.ReleaseID, CreatedBy: r.CreatedBy,
			CreatedAt: r.CreatedAt, ExpiresAt: r.ExpiresAt, RevokedAt: r.RevokedAt})
		l.Product, l.Number = r.Product, r.Number
		links = append(links, l)
	}
	return links, nil
}

// Revoke ends link id at once; pages and streams opened with it stop working.
func (s *Service) Revoke(ctx context.Context, id int64) (Link, error) {
	var link Link
	err := db.InTx(ctx, s.db, func(q *db.Queries) error {
		row, err := q.GetShareLink(ctx, id)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("share link %d: %w", id, fault.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("get share link %d: %w", id, err)
		}
		now := s.now().UTC()
		if err := q.RevokeShareLink(ctx, db.RevokeShareLinkParams{RevokedAt: sql.NullTime{Time: now, Valid: true}, ID: id}); err != nil {
			return fmt.Errorf("revoke share link %d: %w", id, err)
		}
		link = fromRow(row)
		if link.RevokedAt == nil {
			link.RevokedAt = &now
		}
		return audit.Record(ctx, q, now, audit.Entry{Actor: audit.Actor(ctx), Action: "revoke", Kind: "share-link",
			Name: fmt.Sprint(id), Detail: "release " + link.ReleaseID})
	})
	return link, err
}

// Resolve returns the release ID a token opens. An unknown, expired or revoked token is
// fault.ErrNotFound, all alike, so a page cannot tell them apart.
func (s *Service) Resolve(ctx context.Context, token string) (string, error) {
	row, err := s.q.GetShareLinkByHash(ctx, hash(token))
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("share link: %w", fault.ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("get share link: %w", err)
	}
	if l := fromRow(row); !l.Active(s.now()) {
		return "", fmt.Errorf("share link: %w", fault.ErrNotFound)
	}
	return row.ReleaseID, nil
}

func hash(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

func expiry(l Link) string {
	if l.ExpiresAt == nil {
		return ", no expiry"
	}
	return ", expires " + l.ExpiresAt.Format(time.RFC3339)
}

func fromRow(r db.ShareLink) Link {
	return Link{ID: r.ID, ReleaseID: r.ReleaseID, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.UTC(),
		ExpiresAt: timePtr(r.ExpiresAt), RevokedAt: timePtr(r.RevokedAt)}
}

func timePtr(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
}
