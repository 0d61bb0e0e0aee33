package gitops

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"

	"github.com/go-git/go-git/v5/plumbing/transport"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
	gitssh "github.com/go-git/go-git/v5/plumbing/transport/ssh"
)

// authMethod turns credentials into a go-git auth method. For SSH the login name is the
// credential's username, else the URL's user, else git; the host key must match one of the
// credential's known_hosts lines for the host, and only their key types are offered, so a
// single line of any type works against a server with several host keys.
func (s *Store) authMethod(r Remote) (transport.AuthMethod, error) {
	c := r.Credentials
	switch {
	case len(c.SSHKey) > 0:
		ep, err := transport.NewEndpoint(r.URL)
		if err != nil {
			return nil, fmt.Errorf("repository URL %q: %w", r.URL, err)
		}
		user := c.Username
		if user == "" {
			user = ep.User
		}
		if user == "" {
			user = "git"
		}
		keys, err := gitssh.NewPublicKeys(user, c.SSHKey, c.SSHPassphrase)
		if err != nil {
			return nil, fmt.Errorf("ssh key of credential %q: %w", c.Name, err)
		}
		if c.KnownHosts != "" {
			if keys.HostKeyCallbackHelper, err = s.knownHosts(c.KnownHosts, ep); err != nil {
				return nil, err
			}
		}
		return keys, nil
	case c.Token != "":
		user := c.Username
		if user == "" {
			user = "git" // hosts check the token, most ignore the name
		}
		return &githttp.BasicAuth{Username: user, Password: c.Token}, nil
	}
	return nil, nil
}

// knownHosts builds a host key check from known_hosts lines, written to a file in the store
// so the standard parser (hashed hosts, wildcards) reads them, and the host key algorithms
// those lines allow for the endpoint's host.
func (s *Store) knownHosts(lines string, ep *transport.Endpoint) (gitssh.HostKeyCallbackHelper, error) {
	sum := sha256.Sum256([]byte(lines))
	path := filepath.Join(s.dir, "known_hosts", hex.EncodeToString(sum[:12]))
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return gitssh.HostKeyCallbackHelper{}, err
	}
	if err := os.WriteFile(path, []byte(strings.TrimSpace(lines)+"\n"), 0o600); err != nil {
		return gitssh.HostKeyCallbackHelper{}, err
	}
	db, err := gitssh.NewKnownHostsDb(path)
	if err != nil {
		return gitssh.HostKeyCallbackHelper{}, fmt.Errorf("known_hosts: %w", err)
	}
	port := ep.Port
	if port == 0 {
		port = 22
	}
	hostport := net.JoinHostPort(ep.Host, fmt.Sprint(port))
	return gitssh.HostKeyCallbackHelper{HostKeyCallback: db.HostKeyCallback(), HostKeyAlgorithms: db.HostKeyAlgorithms(hostport)}, nil
}
