// Package fault defines the errors every Ladder service returns and the web layer maps to
// responses: sentinel errors for not found, forbidden and conflict, and FieldErrors for input
// that failed validation.
package fault

import (
	"errors"
	"sort"
	"strings"
)

// ErrNotFound means the named entity does not exist; the web layer answers 404.
var ErrNotFound = errors.New("not found")

// ErrForbidden means the caller may not do this; the web layer answers 403.
var ErrForbidden = errors.New("forbidden")

// Refusal is an ErrForbidden whose reason may be shown to the person refused: it says what
// they may not do and which rules say so, nothing secret.
type Refusal struct{ Reason string }

// Error is the reason, marked forbidden.
func (r *Refusal) Error() string { return r.Reason + ": " + ErrForbidden.Error() }

// Unwrap makes a refusal an ErrForbidden.
func (r *Refusal) Unwrap() error { return ErrForbidden }

// ErrConflict means the request clashes with the current state (for example deleting an
// environment that a flow still uses); the web layer answers 409.
var ErrConflict = errors.New("conflict")

// Reason is a conflict's message for a person: err's text without the trailing ": conflict".
func Reason(err error) string {
	return strings.TrimSuffix(err.Error(), ": "+ErrConflict.Error())
}

// ErrUnauthenticated means the caller has not signed in; the web layer answers 401 or redirects
// to the sign-in page.
var ErrUnauthenticated = errors.New("not signed in")

// FieldErrors maps a form field name to the message shown next to that field. A service returns
// it (as an error) when input fails validation; nothing is written in that case.
type FieldErrors map[string]string

// Error lists the messages in field order, so logs and API errors read the same every time.
func (fe FieldErrors) Error() string {
	keys := make([]string, 0, len(fe))
	for k := range fe {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, k+": "+fe[k])
	}
	return "invalid input: " + strings.Join(parts, "; ")
}

// Add records msg for field unless the field already has a message (the first problem found is
// the one worth showing).
func (fe FieldErrors) Add(field, msg string) {
	if _, ok := fe[field]; !ok {
		fe[field] = msg
	}
}

// Err returns fe as an error, or nil when it holds no messages.
func (fe FieldErrors) Err() error {
	if len(fe) == 0 {
		return nil
	}
	return fe
}

// Fields extracts FieldErrors from err, if it carries them.
func Fields(err error) (FieldErrors, bool) {
	var fe FieldErrors
	ok := errors.As(err, &fe)
	return fe, ok
}
