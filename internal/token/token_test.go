package token_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ladder/db"
	"ladder/internal/audit"
	"ladder/internal/fault"
	"ladder/internal/token"
)

func TestTokenLifecycle(t *testing.T) {
	ctx := audit.WithActor(context.Background(), "ada")
	conn, err := db.Open(ctx, filepath.Join(t.TempDir(), "ladder.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	s := token.NewService(conn, fault.NewValidator(), func() time.Time { return now })

	created, secret, err := s.Create(ctx, token.Input{Name: "ci", Role: "promoter"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(secret, "ladder_") || len(secret) < 40 {
		t.Errorf("got secret %q, want a long ladder_ token", secret)
	}
	var stored int
	if err := conn.QueryRow("SELECT COUNT(*) FROM api_tokens WHERE hash LIKE ?", "%"+secret[7:]+"%").Scan(&stored); err != nil || stored != 0 {
		t.Errorf("the secret itself is stored (%d rows, %v), want only its hash", stored, err)
	}
	if _, _, err := s.Create(ctx, token.Input{Name: "ci", Role: "viewer"}); err == nil {
		t.Errorf("second token called ci: got no error, want a field error")
	}
	if fe, _ := fault.Fields(func() error { _, _, err := s.Create(ctx, token.Input{Name: "x", Role: "root"}); return err }()); fe["role"] == "" {
		t.Errorf("role root: got %v, want an error on role", fe)
	}

	got, err := s.Authenticate(ctx, secret)
	if err != nil || got.ID != created.ID || got.Role != "promoter" || got.LastUsedAt == nil {
		t.Fatalf("Authenticate = %+v, %v; want the ci token, used now", got, err)
	}
	list, _ := s.List(ctx)
	if len(list) != 1 || list[0].LastUsedAt == nil || !list[0].LastUsedAt.Equal(now) {
		t.Errorf("got %+v, want one token last used at %s", list, now)
	}
	// Used again within a minute: not written again; after a minute: written.
	first := now
	for _, step := range []struct {
		after time.Duration
		want  time.Time
	}{{30 * time.Second, first}, {61 * time.Second, first.Add(61 * time.Second)}} {
		now = first.Add(step.after)
		if _, err := s.Authenticate(ctx, secret); err != nil {
			t.Fatal(err)
		}
		if list, _ := s.List(ctx); list[0].LastUsedAt == nil || !list[0].LastUsedAt.Equal(step.want) {
			t.Errorf("used again %s later: last used %v, want %s", step.after, list[0].LastUsedAt, step.want)
		}
	}
	if _, err := s.Authenticate(ctx, secret+"x"); !errors.Is(err, fault.ErrUnauthenticated) {
		t.Errorf("wrong secret: got %v, want ErrUnauthenticated", err)
	}
	if err := s.Revoke(ctx, created.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(ctx, secret); !errors.Is(err, fault.ErrUnauthenticated) {
		t.Errorf("revoked token: got %v, want ErrUnauthenticated", err)
	}
	if _, _, err := s.Create(ctx, token.Input{Name: "ci", Role: "viewer"}); err != nil {
		t.Errorf("a revoked token's name is free again: got %v", err)
	}
}
