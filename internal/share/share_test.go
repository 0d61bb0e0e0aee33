package share_test

import (
	"context"
	"encoding/base64"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"ladder/db"
	"ladder/internal/audit"
	"ladder/internal/broker"
	"ladder/internal/fault"
	"ladder/internal/release"
	"ladder/internal/share"
)

func TestShareLinkLifecycle(t *testing.T) {
	ctx := audit.WithActor(context.Background(), "pat")
	conn, err := db.Open(ctx, filepath.Join(t.TempDir(), "ladder.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	rel, err := release.NewService(conn, broker.New(), clock).Create(ctx, release.Spec{Product: "shop", TriggerEnv: "dev",
		SourceApp: "shop-dev", Initiator: "pat", Environments: []release.EnvironmentSpec{{Name: "dev", IsTrigger: true}}},
		func(*release.Tx) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	s := share.NewService(conn, clock)

	forever, token, err := s.Create(ctx, rel.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	if raw, err := base64.RawURLEncoding.DecodeString(token); err != nil || len(raw) != 32 {
		t.Errorf("got token %q (%d bytes, %v), want 256 bits in base64url", token, len(raw), err)
	}
	var stored int
	if err := conn.QueryRow("SELECT COUNT(*) FROM share_links WHERE hash = ?", token).Scan(&stored); err != nil || stored != 0 {
		t.Errorf("the token itself is stored (%d rows, %v), want only its hash", stored, err)
	}
	_, shortToken, err := s.Create(ctx, rel.ID, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Create(ctx, "no-such-release", 0); !errors.Is(err, fault.ErrNotFound) {
		t.Errorf("link to a missing release: got %v, want ErrNotFound", err)
	}

	resolve := func(tok string) error { _, err := s.Resolve(ctx, tok); return err }
	if id, err := s.Resolve(ctx, token); err != nil || id != rel.ID {
		t.Errorf("Resolve = %q, %v; want %q", id, err, rel.ID)
	}
	now = now.Add(2 * time.Hour)
	if err := resolve(shortToken); !errors.Is(err, fault.ErrNotFound) {
		t.Errorf("expired link: got %v, want ErrNotFound", err)
	}
	if _, err := s.Revoke(ctx, forever.ID); err != nil {
		t.Fatal(err)
	}
	for name, tok := range map[string]string{"revoked": token, "unknown": "nonsense"} {
		t.Run(name, func(t *testing.T) {
			if err := resolve(tok); !errors.Is(err, fault.ErrNotFound) {
				t.Errorf("got %v, want ErrNotFound", err)
			}
		})
	}
	links, err := s.OfRelease(ctx, rel.ID)
	if err != nil || len(links) != 2 || links[1].RevokedAt == nil || links[0].Active(now) {
		t.Errorf("OfRelease = %+v, %v; want two inactive links, the first revoked", links, err)
	}
	var records int
	if err := conn.QueryRow("SELECT COUNT(*) FROM audit_log WHERE entity_kind = 'share-link' AND actor = 'pat'").Scan(&records); err != nil || records != 3 {
		t.Errorf("got %d audit records (%v), want 3 (two creates, one revoke)", records, err)
	}
}
