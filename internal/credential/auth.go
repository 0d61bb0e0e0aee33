package credential

import (
	"errors"
	"fmt"
	"os"

	"github.com/go-git/go-git/v5/plumbing/transport"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
	gitssh "github.com/go-git/go-git/v5/plumbing/transport/ssh"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// Method returns the go-git authentication for a, or nil for a nil Auth (anonymous access).
// SSH host keys are checked against the credential's known_hosts entry only.
func (a *Auth) Method() (transport.AuthMethod, error) {
	if a == nil {
		return nil, nil
	}
	switch a.Kind {
	case KindHTTPS:
		return &githttp.BasicAuth{Username: a.Username, Password: a.Token}, nil
	case KindSSH:
		keys, err := gitssh.NewPublicKeys(a.Username, []byte(a.PrivateKey), "")
		if err != nil {
			return nil, fmt.Errorf("%s: private key unusable", a.String()) // never the key itself
		}
		cb, err := hostKeyCallback(a.KnownHosts)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", a.String(), err)
		}
		keys.HostKeyCallback = cb
		return keys, nil
	}
	return nil, fmt.Errorf("%s: unknown kind", a.String())
}

// hostKeyCallback checks host keys against known_hosts lines. The knownhosts package reads
// only files, so the lines pass through a temporary file that is removed at once.
func hostKeyCallback(lines string) (ssh.HostKeyCallback, error) {
	if _, _, _, _, _, err := ssh.ParseKnownHosts([]byte(lines)); err != nil {
		return nil, errors.New("known_hosts entry unreadable")
	}
	f, err := os.CreateTemp("", "ladder-known-hosts-*")
	if err != nil {
		return nil, fmt.Errorf("known_hosts: %w", err)
	}
	defer os.Remove(f.Name())
	_, werr := f.WriteString(lines + "\n")
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		return nil, fmt.Errorf("known_hosts: %w", werr)
	}
	cb, err := knownhosts.New(f.Name())
	if err != nil {
		return nil, errors.New("known_hosts entry unreadable")
	}
	return cb, nil
}
