// Package credential owns the Git credentials Ladder uses to read and push repositories: an
// HTTPS user name and token, or an SSH private key with its known_hosts entry, chosen for a
// repository by the longest matching URL prefix. Secrets are encrypted at rest and never
// leave this package except, decrypted, to the Git engine through ForURL.
package credential

import (
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"

	"ladder/internal/fault"
)

// Kinds of credential.
const (
	KindHTTPS = "https"
	KindSSH   = "ssh"
)

// sealPurpose binds ciphertexts to Git credentials.
const sealPurpose = "git-credential"

// Credential is what may be shown about a credential: everything but its secret.
type Credential struct {
	ID         int64
	Name       string
	URLPrefix  string
	Kind       string
	Username   string
	KnownHosts string
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Auth is a decrypted credential, for the Git engine only. Its String and LogValue hide the
// secret, so logging one by mistake leaks nothing.
type Auth struct {
	Name       string
	Kind       string
	Username   string
	Token      string // https only
	PrivateKey string // ssh only, PEM
	KnownHosts string // ssh only
}

// String names the credential without its secret.
func (a Auth) String() string { return "git credential " + a.Name + " (" + a.Kind + ")" }

// GoString hides the secret from %#v too.
func (a Auth) GoString() string { return a.String() }

// LogValue hides the secret from slog.
func (a Auth) LogValue() slog.Value { return slog.StringValue(a.String()) }

// Input is what a person may set on a credential. An empty Token or PrivateKey on update keeps
// the stored one.
type Input struct {
	Name       string `form:"name" validate:"required,dnslabel"`
	URLPrefix  string `form:"urlPrefix" validate:"required,max=500"`
	Kind       string `form:"kind" validate:"required,oneof=https ssh"`
	Username   string `form:"username" validate:"max=200"`
	Token      string `form:"token" validate:"max=10000"`
	PrivateKey string `form:"privateKey" validate:"max=20000"`
	KnownHosts string `form:"knownHosts" validate:"max=20000"`
}

func normalize(in Input) Input {
	in.Name = strings.TrimSpace(in.Name)
	in.URLPrefix = strings.TrimSpace(in.URLPrefix)
	in.Kind = strings.TrimSpace(in.Kind)
	in.Username = strings.TrimSpace(in.Username)
	in.Token = strings.TrimSpace(in.Token)
	in.PrivateKey = strings.TrimSpace(in.PrivateKey)
	if in.PrivateKey != "" {
		in.PrivateKey += "\n" // PEM parsers want the final newline
	}
	in.KnownHosts = strings.TrimSpace(in.KnownHosts)
	if in.Kind == KindSSH && in.Username == "" {
		in.Username = "git"
	}
	return in
}

// checkInput adds the rules validator tags cannot say. keep reports that a secret of the same
// kind is already stored, so an empty one means "unchanged". Messages never quote a secret.
func checkInput(in Input, keep bool, fe fault.FieldErrors) {
	switch in.Kind {
	case KindHTTPS:
		checkHTTPSPrefix(in.URLPrefix, fe)
		if in.Username == "" {
			fe.Add("username", "is required for an HTTPS token (many servers accept any name, e.g. git)")
		}
		if in.Token == "" && !keep {
			fe.Add("token", "is required")
		}
	case KindSSH:
		if !strings.HasPrefix(in.URLPrefix, "ssh://") && !scpLike(in.URLPrefix) {
			fe.Add("urlPrefix", "an SSH credential needs an ssh:// or git@host: prefix")
		}
		if in.PrivateKey == "" && !keep {
			fe.Add("privateKey", "is required")
		}
		if in.PrivateKey != "" {
			if _, err := ssh.ParsePrivateKey([]byte(in.PrivateKey)); err != nil {
				fe.Add("privateKey", "is not an unencrypted private key in PEM/OpenSSH format")
			}
		}
		if in.KnownHosts == "" {
			fe.Add("knownHosts", "is required: the server's line from known_hosts (ssh-keyscan HOST)")
		} else if err := checkKnownHosts(in.KnownHosts); err != nil {
			fe.Add("knownHosts", "is not a known_hosts line (host key-type key)")
		}
	}
}

func checkHTTPSPrefix(prefix string, fe fault.FieldErrors) {
	u, err := url.Parse(prefix)
	switch {
	case err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "":
		fe.Add("urlPrefix", "an HTTPS credential needs a prefix such as https://github.com/acme/")
	case u.User != nil:
		fe.Add("urlPrefix", "must not contain a user or password; use the fields below")
	}
}

// scpLike reports whether s has the form user@host:path that Git accepts for SSH.
func scpLike(s string) bool {
	at := strings.IndexByte(s, '@')
	colon := strings.IndexByte(s, ':')
	return !strings.Contains(s, "://") && at > 0 && colon > at+1
}

func describe(in Input) string {
	return fmt.Sprintf("kind %s, prefix %s", in.Kind, in.URLPrefix)
}
