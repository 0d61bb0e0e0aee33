package credential

import (
	"context"
	"errors"
	"io"

	"golang.org/x/crypto/ssh"

	"ladder/internal/gitops"
)

// Remote returns repoURL with the credential that matches it (by longest prefix) decrypted
// for the Git engine; with no match the remote is anonymous.
func (s *Service) Remote(ctx context.Context, repoURL string) (gitops.Remote, error) {
	a, err := s.ForURL(ctx, repoURL)
	if err != nil || a == nil {
		return gitops.Remote{URL: repoURL}, err
	}
	return gitops.Remote{URL: repoURL, Credentials: a.credentials()}, nil
}

func (a *Auth) credentials() gitops.Credentials {
	if a.Kind == KindSSH {
		return gitops.Credentials{Name: a.Name, Username: a.Username, SSHKey: []byte(a.PrivateKey), KnownHosts: a.KnownHosts}
	}
	return gitops.Credentials{Name: a.Name, Username: a.Username, Token: a.Token}
}

// checkKnownHosts reports whether every line parses as a known_hosts entry.
func checkKnownHosts(lines string) error {
	rest := []byte(lines)
	for n := 0; ; n++ {
		_, _, _, _, next, err := ssh.ParseKnownHosts(rest)
		if errors.Is(err, io.EOF) && n > 0 {
			return nil
		}
		if err != nil {
			return errors.New("known_hosts entry unreadable")
		}
		rest = next
	}
}

// RemoteNamed returns repoURL with the credential called name decrypted for the Git engine.
func (s *Service) RemoteNamed(ctx context.Context, name, repoURL string) (gitops.Remote, error) {
	r, err := s.Record(ctx, name)
	if err != nil {
		return gitops.Remote{URL: repoURL}, err
	}
	plain, err := r.Open(sealPurpose)
	if err != nil {
		return gitops.Remote{URL: repoURL}, err
	}
	c := r.Value
	a := &Auth{Name: c.Name, Kind: c.Kind, Username: c.Username, KnownHosts: c.KnownHosts}
	if c.Kind == KindSSH {
		a.PrivateKey = plain
	} else {
		a.Token = plain
	}
	return gitops.Remote{URL: repoURL, Credentials: a.credentials()}, nil
}
