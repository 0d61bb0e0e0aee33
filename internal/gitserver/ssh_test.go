package gitserver

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing/object"
	gitssh "github.com/go-git/go-git/v5/plumbing/transport/ssh"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// sshServed starts an SSH server for user "deploy" with one repository holding one commit.
func sshServed(t *testing.T) (*SSH, string, []byte) {
	t.Helper()
	root := t.TempDir()
	dir, err := Init(root, "app.git")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Commit(dir, "main", "initial", map[string]string{"values.yaml": "tag: v1\n"}); err != nil {
		t.Fatal(err)
	}
	pemKey, pub, err := NewKey(Ed25519)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := NewSSH(root, SSHOptions{User: "deploy", Key: pub})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	return srv, dir, pemKey
}

// auth is go-git's key auth, checking the host key against one known_hosts line and offering
// that line's key algorithm.
func auth(t *testing.T, user string, pemKey []byte, line string, algos []string) *gitssh.PublicKeys {
	t.Helper()
	keys, err := gitssh.NewPublicKeys(user, pemKey, "")
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "known_hosts")
	if err := os.WriteFile(file, []byte(line+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cb, err := knownhosts.New(file)
	if err != nil {
		t.Fatal(err)
	}
	keys.HostKeyCallback, keys.HostKeyAlgorithms = cb, algos
	return keys
}

func TestSSHServesEachHostKeyTypeAndPush(t *testing.T) {
	srv, dir, pemKey := sshServed(t)
	algos := map[string][]string{
		Ed25519: {ssh.KeyAlgoED25519},
		ECDSA:   {ssh.KeyAlgoECDSA256},
		RSA:     {ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256},
	}
	for kind, offer := range algos {
		t.Run(kind, func(t *testing.T) {
			line := srv.KnownHosts(kind)
			if !strings.HasPrefix(line, "[127.0.0.1]:") {
				t.Fatalf("known_hosts line %q does not name [127.0.0.1]:port", line)
			}
			work := t.TempDir()
			a := auth(t, "deploy", pemKey, line, offer)
			g, err := gogit.PlainClone(work, false, &gogit.CloneOptions{URL: srv.URL("", "app.git"), Auth: a})
			if err != nil {
				t.Fatalf("clone over ssh with a %s host key: %v", kind, err)
			}
			wt, _ := g.Worktree()
			os.WriteFile(filepath.Join(work, "values.yaml"), []byte("tag: "+kind+"\n"), 0o644)
			wt.Add("values.yaml")
			sig := &object.Signature{Name: "Dev", Email: "dev@example.com", When: time.Now()}
			sha, err := wt.Commit(kind, &gogit.CommitOptions{Author: sig, All: true})
			if err != nil {
				t.Fatal(err)
			}
			err = g.Push(&gogit.PushOptions{Auth: a, RefSpecs: []config.RefSpec{"refs/heads/main:refs/heads/main"}})
			if err != nil {
				t.Fatalf("push over ssh: %v", err)
			}
			if got := head(t, dir); got != sha.String() {
				t.Fatalf("head after push = %s, want %s", got, sha)
			}
		})
	}
	for _, u := range srv.Logins() {
		if u != "deploy" {
			t.Fatalf("login as %q, want deploy", u)
		}
	}
}

func TestSSHRefusesOtherUserAndWrongHostKey(t *testing.T) {
	srv, _, pemKey := sshServed(t)
	line := srv.KnownHosts(Ed25519)
	_, err := gogit.PlainClone(t.TempDir(), true, &gogit.CloneOptions{URL: srv.URL("", "app.git"),
		Auth: auth(t, "git", pemKey, line, []string{ssh.KeyAlgoED25519})})
	if err == nil || !strings.Contains(err.Error(), "unable to authenticate") {
		t.Fatalf("clone as git: %v, want an authentication failure", err)
	}
	other, err := NewSSH(t.TempDir(), SSHOptions{User: "deploy", HostKeyTypes: []string{Ed25519}})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	// The other server's key, written for this server's address.
	wrong := knownhosts.Line([]string{srv.l.Addr().String()}, other.hostKeys[Ed25519].PublicKey())
	_, err = gogit.PlainClone(t.TempDir(), true, &gogit.CloneOptions{URL: srv.URL("", "app.git"),
		Auth: auth(t, "deploy", pemKey, wrong, []string{ssh.KeyAlgoED25519})})
	if err == nil || !strings.Contains(err.Error(), "key mismatch") {
		t.Fatalf("clone with a wrong host key: %v, want a key mismatch", err)
	}
	if len(srv.Logins()) != 0 {
		t.Fatalf("logins %v, want none", srv.Logins())
	}
}
