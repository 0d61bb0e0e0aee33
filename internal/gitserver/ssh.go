package gitserver

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/binary"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// Host key types an SSH server can offer.
const (
	Ed25519 = "ed25519"
	RSA     = "rsa"
	ECDSA   = "ecdsa"
)

// SSHOptions configure an SSH server: the one user allowed in, with the one public key it
// must present, and the host key types to offer (every type when empty).
type SSHOptions struct {
	User         string
	Key          ssh.PublicKey
	HostKeyTypes []string
}

// SSH is an SSH Git server on 127.0.0.1 that runs `git upload-pack` / `git receive-pack` for
// the bare repositories under a root, for one user and key.
type SSH struct {
	root     string
	opts     SSHOptions
	l        net.Listener
	hostKeys map[string]ssh.Signer
	config   *ssh.ServerConfig

	mu     sync.Mutex
	logins []string
	wg     sync.WaitGroup
}

// NewSSH starts an SSH server for the bare repositories under root.
func NewSSH(root string, opts SSHOptions) (*SSH, error) {
	if len(opts.HostKeyTypes) == 0 {
		opts.HostKeyTypes = []string{Ed25519, ECDSA, RSA}
	}
	s := &SSH{root: root, opts: opts, hostKeys: map[string]ssh.Signer{}}
	s.config = &ssh.ServerConfig{PublicKeyCallback: s.checkKey}
	for _, kind := range opts.HostKeyTypes {
		signer, err := newSigner(kind)
		if err != nil {
			return nil, err
		}
		s.hostKeys[kind] = signer
		s.config.AddHostKey(signer)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s.l = l
	s.wg.Add(1)
	go s.accept()
	return s, nil
}

// NewKey returns a new private key of a type (Ed25519, RSA, ECDSA) in OpenSSH PEM form, and
// its public key: a client's key for SSHOptions.Key.
func NewKey(kind string) ([]byte, ssh.PublicKey, error) {
	key, err := newPrivateKey(kind)
	if err != nil {
		return nil, nil, err
	}
	block, err := ssh.MarshalPrivateKey(key, "")
	if err != nil {
		return nil, nil, err
	}
	signer, err := ssh.NewSignerFromKey(key)
	if err != nil {
		return nil, nil, err
	}
	return pem.EncodeToMemory(block), signer.PublicKey(), nil
}

// newSigner returns a signer for a new private key of a type.
func newSigner(kind string) (ssh.Signer, error) {
	key, err := newPrivateKey(kind)
	if err != nil {
		return nil, err
	}
	return ssh.NewSignerFromKey(key)
}

// newPrivateKey returns a new private key of a type (Ed25519, RSA, ECDSA).
func newPrivateKey(kind string) (crypto.PrivateKey, error) {
	switch kind {
	case Ed25519:
		_, key, err := ed25519.GenerateKey(rand.Reader)
		return key, err
	case RSA:
		return rsa.GenerateKey(rand.Reader, 2048)
	case ECDSA:
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	}
	return nil, fmt.Errorf("gitserver: unknown key type %q", kind)
}

// URL returns the ssh:// address of the repository named name, with user as the login name
// when user is not empty.
func (s *SSH) URL(user, name string) string {
	if user != "" {
		user += "@"
	}
	return "ssh://" + user + s.l.Addr().String() + "/" + strings.TrimPrefix(name, "/")
}

// KnownHosts returns the known_hosts line for the server's host key of one type, as
// `ssh-keyscan -t <type>` would print it; "" when the server does not offer that type.
func (s *SSH) KnownHosts(kind string) string {
	signer, ok := s.hostKeys[kind]
	if !ok {
		return ""
	}
	return knownhosts.Line([]string{s.l.Addr().String()}, signer.PublicKey())
}

// Logins returns the usernames of the sessions that authenticated, oldest first.
func (s *SSH) Logins() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.logins...)
}

// Close stops accepting connections and waits for the accept loop.
func (s *SSH) Close() {
	s.l.Close()
	s.wg.Wait()
}

// checkKey lets in only the configured user with the configured key.
func (s *SSH) checkKey(meta ssh.ConnMetadata, key ssh.PublicKey) (*ssh.Permissions, error) {
	if meta.User() != s.opts.User || s.opts.Key == nil || !bytes.Equal(key.Marshal(), s.opts.Key.Marshal()) {
		return nil, fmt.Errorf("gitserver: user %q with this key is not allowed", meta.User())
	}
	s.mu.Lock()
	s.logins = append(s.logins, meta.User())
	s.mu.Unlock()
	return &ssh.Permissions{}, nil
}

func (s *SSH) accept() {
	defer s.wg.Done()
	for {
		conn, err := s.l.Accept()
		if err != nil {
			return
		}
		go s.serveConn(conn)
	}
}

// serveConn runs the SSH handshake and serves the session channels of one connection.
func (s *SSH) serveConn(conn net.Conn) {
	sc, chans, reqs, err := ssh.NewServerConn(conn, s.config)
	if err != nil {
		conn.Close()
		return
	}
	defer sc.Close()
	go ssh.DiscardRequests(reqs)
	for nc := range chans {
		if nc.ChannelType() != "session" {
			nc.Reject(ssh.UnknownChannelType, "only sessions")
			continue
		}
		ch, chReqs, err := nc.Accept()
		if err != nil {
			return
		}
		go s.serveSession(ch, chReqs)
	}
}

// serveSession waits for an exec request and runs the git command it names.
func (s *SSH) serveSession(ch ssh.Channel, reqs <-chan *ssh.Request) {
	defer ch.Close()
	for req := range reqs {
		if req.Type != "exec" {
			req.Reply(false, nil) // env (GIT_PROTOCOL), pty…: the server speaks protocol v0/v1
			continue
		}
		cmd, err := s.command(req.Payload)
		req.Reply(err == nil, nil)
		if err != nil {
			fmt.Fprintln(ch.Stderr(), err)
			sendStatus(ch, 1)
			return
		}
		sendStatus(ch, run(cmd, ch))
		return
	}
}

// command parses `git-upload-pack '/repo.git'` (or receive-pack) into a git command.
func (s *SSH) command(payload []byte) (*exec.Cmd, error) {
	if len(payload) < 4 {
		return nil, errors.New("gitserver: bad exec request")
	}
	n := binary.BigEndian.Uint32(payload)
	line := string(payload[4:])
	if int(n) != len(line) {
		return nil, errors.New("gitserver: bad exec request")
	}
	verb, arg, _ := strings.Cut(line, " ")
	verb = strings.Replace(verb, "git ", "git-", 1)
	if verb != "git-upload-pack" && verb != "git-receive-pack" {
		return nil, fmt.Errorf("gitserver: command %q not allowed", verb)
	}
	name := strings.TrimPrefix(strings.Trim(arg, "'\""), "/")
	dir := filepath.Join(s.root, filepath.FromSlash(name))
	if rel, err := filepath.Rel(s.root, dir); err != nil || strings.HasPrefix(rel, "..") {
		return nil, fmt.Errorf("gitserver: %q is outside the root", name)
	}
	cmd := exec.Command("git", strings.TrimPrefix(verb, "git-"), dir)
	cmd.Env = append(cmd.Environ(), gitEnv...)
	return cmd, nil
}

// run connects the command to the channel and returns its exit status.
func run(cmd *exec.Cmd, ch ssh.Channel) int {
	cmd.Stdout, cmd.Stderr = ch, ch.Stderr()
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return 1
	}
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(ch.Stderr(), err)
		return 1
	}
	// Copied apart from Wait: the client may keep its side open after the command ends.
	go func() { io.Copy(stdin, ch); stdin.Close() }()
	if err := cmd.Wait(); err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return exit.ExitCode()
		}
		return 1
	}
	return 0
}

func sendStatus(ch ssh.Channel, code int) {
	ch.SendRequest("exit-status", false, ssh.Marshal(struct{ Status uint32 }{uint32(code)}))
}
