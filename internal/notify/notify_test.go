package notify

import (
	"bytes"
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ladder/db"
	"ladder/internal/fault"
	"ladder/internal/secret"
)

const slackURL = "https://hooks.slack.example/services/T0/B0/s3cret-path-token"

func newService(t *testing.T) (*Service, *sql.DB) {
	t.Helper()
	conn, err := db.Open(context.Background(), filepath.Join(t.TempDir(), "ladder.db"))
	if err != nil {
		t.Fatalf("open db: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	box, err := secret.NewBox(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC) }
	return NewService(conn, box, fault.NewValidator(), now), conn
}

// rowText is every column of every channel row, as text, for looking for a secret in it.
func rowText(t *testing.T, conn *sql.DB) string {
	t.Helper()
	rows, err := conn.Query(`SELECT name, kind, url, COALESCE(url_sealed, ''), host, product FROM notification_channels`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var cols [6][]byte
		if err := rows.Scan(&cols[0], &cols[1], &cols[2], &cols[3], &cols[4], &cols[5]); err != nil {
			t.Fatal(err)
		}
		for _, c := range cols {
			b.Write(c)
			b.WriteByte('|')
		}
	}
	return b.String()
}

func TestChannelURLsAreSealedAtRest(t *testing.T) {
	svc, conn := newService(t)
	ctx := context.Background()
	ch, err := svc.Create(ctx, Input{Name: "chat", Kind: KindSlack, URL: slackURL})
	if err != nil {
		t.Fatal(err)
	}
	if ch.Host != "https://hooks.slack.example" {
		t.Errorf("host %q, want the scheme and host only", ch.Host)
	}
	if text := rowText(t, conn); strings.Contains(text, "s3cret-path-token") {
		t.Fatalf("the channel's row holds its URL in clear: %q", text)
	}
	var sealedURL []byte
	if err := conn.QueryRow(`SELECT url_sealed FROM notification_channels WHERE name = 'chat'`).Scan(&sealedURL); err != nil {
		t.Fatal(err)
	}
	if got, err := svc.openURL(sealedURL); err != nil || got != slackURL {
		t.Fatalf("open the sealed URL: %q, %v", got, err)
	}
	// An update that leaves the URL empty keeps it (and its host).
	if ch, err = svc.Update(ctx, "chat", Input{Name: "chat", Kind: KindSlack, Product: "shop"}); err != nil || ch.Host != "https://hooks.slack.example" {
		t.Fatalf("update without a URL: %+v, %v", ch, err)
	}
	if _, err := svc.Create(ctx, Input{Name: "nourl", Kind: KindWebhook}); err == nil || !strings.Contains(err.Error(), "url") {
		t.Errorf("a channel without a URL: %v, want an error on url", err)
	}
}

func TestSealStoredSealsURLsKeptInClear(t *testing.T) {
	svc, conn := newService(t)
	ctx := context.Background()
	// A channel as stored before URLs were sealed.
	if _, err := conn.Exec(`INSERT INTO notification_channels (name, kind, url, product, created_at, updated_at)
		VALUES ('old', 'slack', ?, '', ?, ?)`, slackURL, time.Now().UTC(), time.Now().UTC()); err != nil {
		t.Fatal(err)
	}
	if err := svc.SealStored(ctx); err != nil {
		t.Fatal(err)
	}
	if text := rowText(t, conn); strings.Contains(text, "s3cret-path-token") {
		t.Fatalf("the old channel's URL is still in clear: %q", text)
	}
	rec, err := svc.Record(ctx, "old")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := svc.openURL(rec.Sealed[urlPurpose]); err != nil || got != slackURL || rec.Value.Host != "https://hooks.slack.example" {
		t.Fatalf("the sealed old URL: %q (host %q), %v", got, rec.Value.Host, err)
	}
	if err := svc.SealStored(ctx); err != nil { // nothing left to seal: a no-op
		t.Fatal(err)
	}
}
