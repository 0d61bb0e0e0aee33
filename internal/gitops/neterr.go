package gitops

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/transport"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
	"golang.org/x/crypto/ssh/knownhosts"
)

// Classes of failed network Git operations, for errors.Is on an *Error.
var (
	// ErrUnreachable is trouble that should pass: the server refused or dropped the
	// connection, did not answer in time, or answered with a server error. Try again later.
	ErrUnreachable = errors.New("Git server unreachable")
	// ErrAuthentication means the server refused the credential (or asked for one).
	ErrAuthentication = errors.New("authentication failed")
	// ErrRepositoryNotFound means the server has no such repository (or hides it from this
	// credential).
	ErrRepositoryNotFound = errors.New("repository not found")
	// ErrHostKey means the SSH server's host key does not match the credential's known_hosts.
	ErrHostKey = errors.New("SSH host key not trusted")
)

// Error is a failed network operation on a repository. Its message names the repository and
// the credential used (never the secret) and ends with Git's reason.
type Error struct {
	Op         string // fetch, push
	URL        string
	Credential string // the credential's name; empty when anonymous
	Class      error  // ErrUnreachable, ErrAuthentication, ErrRepositoryNotFound, ErrHostKey or nil
	Reason     string // Git's or the network's reason, one trimmed line
	Err        error
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s", e.Op, e.URL)
	if e.Credential != "" {
		fmt.Fprintf(&b, " with credential %q", e.Credential)
	} else {
		b.WriteString(" without a credential")
	}
	if e.Class != nil {
		fmt.Fprintf(&b, ": %s", e.Class)
	}
	if e.Reason != "" {
		fmt.Fprintf(&b, ": %s", e.Reason)
	}
	return b.String()
}

// Unwrap gives errors.Is both the class and the cause.
func (e *Error) Unwrap() []error { return []error{e.Class, e.Err} }

// Transient reports whether err is network trouble worth retrying later.
func Transient(err error) bool { return errors.Is(err, ErrUnreachable) }

// netError classifies err from a network operation on r; ctx is the operation's context, so
// its deadline reads as a timeout and the caller's cancellation passes through unchanged.
func netError(ctx context.Context, op string, r Remote, timeout time.Duration, err error) error {
	if err == nil {
		return nil
	}
	var already *Error
	if errors.As(err, &already) {
		return err
	}
	e := &Error{Op: op, URL: r.URL, Credential: r.Credentials.Name, Err: err}
	switch {
	case ctx.Err() == context.Canceled || errors.Is(err, context.Canceled):
		return err // the caller gave up (Terminate): not the server's fault
	case errors.Is(ctx.Err(), context.DeadlineExceeded) || errors.Is(err, context.DeadlineExceeded):
		e.Class, e.Reason = ErrUnreachable, fmt.Sprintf("no answer within %s", timeout)
	default:
		e.Class, e.Reason = classify(err)
	}
	return e
}

// classify returns the class and a one-line reason for a transport error.
func classify(err error) (error, string) {
	var ue *plumbing.UnexpectedError
	if errors.As(err, &ue) {
		err = ue.Err // go-git's wrapper hides the cause from errors.Is
	}
	var keyErr *knownhosts.KeyError
	var netErr net.Error
	switch {
	case errors.As(err, &keyErr) && len(keyErr.Want) > 0:
		return ErrHostKey, "the server's host key does not match the known_hosts entry (" + keyAlgos(keyErr) + ")"
	case errors.As(err, &keyErr):
		return ErrHostKey, "the server's host key is not in the credential's known_hosts"
	case errors.Is(err, transport.ErrAuthenticationRequired), errors.Is(err, transport.ErrAuthorizationFailed),
		strings.Contains(err.Error(), "unable to authenticate"):
		return ErrAuthentication, reasonOf(err)
	case errors.Is(err, transport.ErrRepositoryNotFound):
		return ErrRepositoryNotFound, reasonOf(err)
	case errors.Is(err, syscall.ECONNREFUSED):
		return ErrUnreachable, "connection refused"
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return ErrUnreachable, "connection reset"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return ErrUnreachable, "the connection closed before the server answered"
	case errors.As(err, &netErr) && netErr.Timeout():
		return ErrUnreachable, "timed out"
	case errors.As(err, &netErr):
		return ErrUnreachable, oneLine(err.Error())
	}
	if status := httpStatus(err); status >= 500 || status == 429 || status == 408 {
		return ErrUnreachable, fmt.Sprintf("HTTP %d %s", status, httpText(status))
	} else if status != 0 {
		return nil, fmt.Sprintf("HTTP %d %s", status, httpText(status))
	}
	return nil, oneLine(err.Error())
}

// keyAlgos names the key types the known_hosts entry holds for the host.
func keyAlgos(k *knownhosts.KeyError) string {
	var types []string
	for _, w := range k.Want {
		types = append(types, w.Key.Type())
	}
	return "known: " + strings.Join(types, ", ")
}

// httpStatus is the status of an unexpected HTTP answer, 0 when err is not one.
func httpStatus(err error) int {
	var he *githttp.Err
	if errors.As(err, &he) && he.Response != nil {
		return he.Response.StatusCode
	}
	return 0
}

// reasonOf is the server's words after go-git's prefix, or go-git's when there are none.
func reasonOf(err error) string {
	msg := oneLine(err.Error())
	for _, class := range []error{transport.ErrAuthenticationRequired, transport.ErrAuthorizationFailed, transport.ErrRepositoryNotFound} {
		if rest, ok := strings.CutPrefix(msg, class.Error()+":"); ok {
			if rest = strings.TrimSpace(rest); rest != "" {
				return class.Error() + " (" + rest + ")"
			}
			return class.Error()
		}
	}
	return msg
}

// oneLine trims a server's message to one line without the trailing newline.
func oneLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = strings.TrimSpace(s[:i]) + " …"
	}
	return s
}

// httpText is the status text in lower case.
func httpText(status int) string { return strings.ToLower(http.StatusText(status)) }
