package gitops

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh/knownhosts"

	"ladder/internal/gitserver"
)

// sshServed serves one repository over SSH (ed25519, ecdsa and rsa host keys) to user
// deploy and returns the server, the repository's directory and deploy's private key.
func sshServed(t *testing.T) (*gitserver.SSH, string, []byte) {
	t.Helper()
	requireGit(t)
	root := t.TempDir()
	dir, err := gitserver.Init(root, "prod.git")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := gitserver.Commit(dir, "main", "prod", map[string]string{
		"apps/shop/Chart.yaml": "name: shop\nappVersion: 1.4.0 # prod\n", "apps/shop/values.yaml": prodValues}); err != nil {
		t.Fatal(err)
	}
	key, pub, err := gitserver.NewKey(gitserver.Ed25519)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := gitserver.NewSSH(root, gitserver.SSHOptions{User: "deploy", Key: pub})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	return srv, dir, key
}

func TestSSHOneKnownHostsLineOfEachType(t *testing.T) {
	srv, dir, key := sshServed(t)
	for _, kind := range []string{gitserver.Ed25519, gitserver.ECDSA, gitserver.RSA} {
		t.Run(kind, func(t *testing.T) {
			// No user in the URL: the credential's username must be the login name.
			r := Remote{URL: srv.URL("", "prod.git"), Credentials: Credentials{Name: "deploy-key", Username: "deploy",
				SSHKey: key, KnownHosts: srv.KnownHosts(kind)}}
			head, err := NewStore(t.TempDir()).Head(context.Background(), r, "main")
			if err != nil {
				t.Fatalf("fetch over ssh with a single %s known_hosts line: %v", kind, err)
			}
			if want, _ := gitserver.Head(dir, "main"); head != want {
				t.Fatalf("head %s, want %s", head, want)
			}
		})
	}
	for _, u := range srv.Logins() {
		if u != "deploy" {
			t.Fatalf("logged in as %q, want the credential's username deploy", u)
		}
	}
}

func TestSSHPromotePushes(t *testing.T) {
	srv, dir, key := sshServed(t)
	req := promoteRequest(newEnvs(t))
	req.Target = Remote{URL: srv.URL("", "prod.git"), Credentials: Credentials{Name: "deploy-key", Username: "deploy",
		SSHKey: key, KnownHosts: srv.KnownHosts(gitserver.Ed25519)}}
	res, err := NewStore(t.TempDir()).Promote(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if head, _ := gitserver.Head(dir, "main"); head != res.Commit {
		t.Fatalf("head %s, want the promotion %s", head, res.Commit)
	}
}

func TestSSHWrongHostKeyIsNamed(t *testing.T) {
	srv, _, key := sshServed(t)
	other, err := gitserver.NewSSH(t.TempDir(), gitserver.SSHOptions{User: "deploy", HostKeyTypes: []string{gitserver.Ed25519}})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	// The other server's ed25519 key, claimed for this server's address.
	fields := strings.Fields(other.KnownHosts(gitserver.Ed25519))
	addr := strings.TrimPrefix(srv.URL("", ""), "ssh://")
	wrong := knownhosts.Normalize(strings.TrimSuffix(addr, "/")) + " " + fields[1] + " " + fields[2]
	r := Remote{URL: srv.URL("", "prod.git"), Credentials: Credentials{Name: "deploy-key", Username: "deploy", SSHKey: key, KnownHosts: wrong}}
	_, err = NewStore(t.TempDir()).Head(context.Background(), r, "main")
	if !errors.Is(err, ErrHostKey) || Transient(err) {
		t.Fatalf("wrong host key: %v, want a host key error", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "host key does not match") || !strings.Contains(msg, `credential "deploy-key"`) {
		t.Fatalf("message %q does not say the host key does not match", msg)
	}
	if len(srv.Logins()) != 0 {
		t.Fatalf("logged in despite a wrong host key: %v", srv.Logins())
	}
}

// TestSSHSilentServerTimesOut: a server that accepts the connection and never speaks (no SSH
// banner) fails the fetch as unreachable once the store's timeout passes, instead of holding
// it forever.
func TestSSHSilentServerTimesOut(t *testing.T) {
	_, _, key := sshServed(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	held := make(chan net.Conn, 16)
	defer func() {
		l.Close()
		for len(held) > 0 {
			(<-held).Close()
		}
	}()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			held <- c // accepted, never answered
		}
	}()
	store := NewStore(t.TempDir())
	store.Timeout = 300 * time.Millisecond
	r := Remote{URL: "ssh://deploy@" + l.Addr().String() + "/prod.git", Credentials: Credentials{Name: "deploy-key",
		Username: "deploy", SSHKey: key, KnownHosts: "127.0.0.1 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"}}
	done := make(chan error, 1)
	go func() {
		_, err := store.Head(context.Background(), r, "main")
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, ErrUnreachable) || !Transient(err) {
			t.Fatalf("fetch from a silent server: %v, want a transient unreachable error", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the fetch from a silent server still waits after 30 s")
	}
}
