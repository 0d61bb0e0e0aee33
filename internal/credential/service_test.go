package credential_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"database/sql"
	"encoding/pem"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"ladder/db"
	"ladder/internal/credential"
	"ladder/internal/fault"
	"ladder/internal/secret"
)

var fakeNow = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func newService(t *testing.T) (*credential.Service, *sql.DB) {
	t.Helper()
	conn, err := db.Open(context.Background(), filepath.Join(t.TempDir(), "ladder.db"))
	if err != nil {
		t.Fatalf("open db: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	box, err := secret.NewBox(bytes.Repeat([]byte{1}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return credential.NewService(conn, box, fault.NewValidator(), func() time.Time { return fakeNow }), conn
}

// sshKey returns a fresh private key in OpenSSH PEM form and a known_hosts line for host.
func sshKey(t *testing.T, host string) (string, string) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "")
	if err != nil {
		t.Fatal(err)
	}
	sshPub, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(block)), knownhosts.Line([]string{host}, sshPub)
}

func count(t *testing.T, conn *sql.DB, table string) int {
	t.Helper()
	var n int
	if err := conn.QueryRow("SELECT COUNT(*) FROM " + table).Scan(&n); err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}

func TestCreateRejectsInvalidInput(t *testing.T) {
	key, hosts := sshKey(t, "git.example.com")
	https := credential.Input{Name: "github", URLPrefix: "https://github.com/acme/", Kind: "https", Username: "bot", Token: "tok-9f8e7d"}
	sshIn := credential.Input{Name: "gitea", URLPrefix: "git@git.example.com:", Kind: "ssh", PrivateKey: key, KnownHosts: hosts}
	tests := []struct {
		name  string
		in    credential.Input
		edit  func(*credential.Input)
		field string
	}{
		{"bad name", https, func(in *credential.Input) { in.Name = "GitHub" }, "name"},
		{"no prefix", https, func(in *credential.Input) { in.URLPrefix = "" }, "urlPrefix"},
		{"unknown kind", https, func(in *credential.Input) { in.Kind = "ftp" }, "kind"},
		{"https prefix not a URL", https, func(in *credential.Input) { in.URLPrefix = "github.com/acme" }, "urlPrefix"},
		{"https prefix with password", https, func(in *credential.Input) { in.URLPrefix = "https://u:p@github.com/" }, "urlPrefix"},
		{"https without user", https, func(in *credential.Input) { in.Username = "" }, "username"},
		{"https without token", https, func(in *credential.Input) { in.Token = " " }, "token"},
		{"ssh with https prefix", sshIn, func(in *credential.Input) { in.URLPrefix = "https://git.example.com/" }, "urlPrefix"},
		{"ssh without key", sshIn, func(in *credential.Input) { in.PrivateKey = "" }, "privateKey"},
		{"ssh with garbage key", sshIn, func(in *credential.Input) { in.PrivateKey = "-----BEGIN NOTHING-----" }, "privateKey"},
		{"ssh without known_hosts", sshIn, func(in *credential.Input) { in.KnownHosts = "" }, "knownHosts"},
		{"ssh with bad known_hosts", sshIn, func(in *credential.Input) { in.KnownHosts = "git.example.com not-a-key" }, "knownHosts"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc, conn := newService(t)
			in := tt.in
			tt.edit(&in)
			_, err := svc.Create(context.Background(), in)
			fe, ok := fault.Fields(err)
			if !ok || fe[tt.field] == "" {
				t.Fatalf("got error %v, want a field error on %q", err, tt.field)
			}
			if strings.Contains(fe.Error(), "BEGIN") || (strings.TrimSpace(in.Token) != "" && strings.Contains(fe.Error(), in.Token)) {
				t.Errorf("error message %q quotes a secret", fe.Error())
			}
			if n := count(t, conn, "git_credentials") + count(t, conn, "audit_log"); n != 0 {
				t.Errorf("got %d rows stored, want 0", n)
			}
		})
	}
}

func TestUniqueNameAndPrefix(t *testing.T) {
	svc, _ := newService(t)
	ctx := context.Background()
	base := credential.Input{Name: "github", URLPrefix: "https://github.com/acme/", Kind: "https", Username: "bot", Token: "t1"}
	if _, err := svc.Create(ctx, base); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		in    credential.Input
		field string
	}{
		{"same name", credential.Input{Name: "github", URLPrefix: "https://github.com/other/", Kind: "https", Username: "b", Token: "t"}, "name"},
		{"same prefix", credential.Input{Name: "github-2", URLPrefix: "https://github.com/acme/", Kind: "https", Username: "b", Token: "t"}, "urlPrefix"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := svc.Create(ctx, tt.in)
			if fe, ok := fault.Fields(err); !ok || fe[tt.field] == "" {
				t.Errorf("got %v, want a field error on %q", err, tt.field)
			}
		})
	}
}

func TestForURLPicksLongestPrefixAndDecrypts(t *testing.T) {
	svc, conn := newService(t)
	ctx := context.Background()
	key, hosts := sshKey(t, "git.example.com")
	for _, in := range []credential.Input{
		{Name: "org", URLPrefix: "https://git.example.com/", Kind: "https", Username: "bot", Token: "org-token"},
		{Name: "team", URLPrefix: "https://git.example.com/team/", Kind: "https", Username: "bot", Token: "team-token"},
		{Name: "deploy", URLPrefix: "ssh://git@git.example.com/", Kind: "ssh", PrivateKey: key, KnownHosts: hosts},
	} {
		if _, err := svc.Create(ctx, in); err != nil {
			t.Fatalf("create %s: %v", in.Name, err)
		}
	}
	tests := []struct{ url, want, secret string }{
		{"https://git.example.com/team/app.git", "team", "team-token"},
		{"https://git.example.com/other/app.git", "org", "org-token"},
		{"ssh://git@git.example.com/team/app.git", "deploy", strings.TrimSpace(key)},
		{"https://elsewhere.example.com/app.git", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			a, err := svc.ForURL(ctx, tt.url)
			if err != nil {
				t.Fatal(err)
			}
			if tt.want == "" {
				if a != nil {
					t.Errorf("got %s, want none", a)
				}
				return
			}
			if a == nil || a.Name != tt.want || strings.TrimSpace(a.Token+a.PrivateKey) != tt.secret {
				t.Fatalf("got %v, want %s with its secret", a, tt.want)
			}
			r, err := svc.Remote(ctx, tt.url)
			if err != nil || r.URL != tt.url || strings.TrimSpace(r.Credentials.Token+string(r.Credentials.SSHKey)) != tt.secret {
				t.Errorf("Remote = %v with other credentials (err %v), want %s's", r.URL, err, tt.want)
			}
		})
	}
	// The column holds ciphertext, never the plaintext.
	rows, err := conn.Query("SELECT secret FROM git_credentials")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var sealed []byte
		if err := rows.Scan(&sealed); err != nil {
			t.Fatal(err)
		}
		for _, plain := range []string{"org-token", "team-token", "PRIVATE KEY"} {
			if bytes.Contains(sealed, []byte(plain)) {
				t.Errorf("secret column holds plaintext %q", plain)
			}
		}
	}
}

func TestUpdateKeepsSecretWhenEmpty(t *testing.T) {
	svc, _ := newService(t)
	ctx := context.Background()
	in := credential.Input{Name: "github", URLPrefix: "https://github.com/", Kind: "https", Username: "bot", Token: "first"}
	if _, err := svc.Create(ctx, in); err != nil {
		t.Fatal(err)
	}
	in.Token, in.Username = "", "robot"
	if _, err := svc.Update(ctx, "github", in); err != nil {
		t.Fatalf("update without token: %v", err)
	}
	a, err := svc.ForURL(ctx, "https://github.com/acme/app")
	if err != nil || a == nil || a.Token != "first" || a.Username != "robot" {
		t.Fatalf("got %v (err %v), want user robot with the first token kept", a, err)
	}
	// Switching kind needs a new secret: a token cannot serve as a key.
	_, hosts := sshKey(t, "github.com")
	_, err = svc.Update(ctx, "github", credential.Input{Name: "github", URLPrefix: "git@github.com:", Kind: "ssh", KnownHosts: hosts})
	if fe, ok := fault.Fields(err); !ok || fe["privateKey"] == "" {
		t.Errorf("got %v, want a field error on privateKey", err)
	}
	if _, err := svc.Update(ctx, "missing", in); !errors.Is(err, fault.ErrNotFound) {
		t.Errorf("update missing: got %v, want ErrNotFound", err)
	}
}

func TestAuthNeverPrintsSecret(t *testing.T) {
	a := credential.Auth{Name: "github", Kind: "https", Username: "bot", Token: "s3cr3t"}
	var buf bytes.Buffer
	for _, s := range []string{a.String(), a.GoString(), a.LogValue().String()} {
		buf.WriteString(s)
	}
	if strings.Contains(buf.String(), "s3cr3t") {
		t.Errorf("got %q, want no token", buf.String())
	}
}
