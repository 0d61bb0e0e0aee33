// Package sealed owns what every named setting that holds a secret has in common: Argo CD and
// Argo Workflows servers, Git credentials, Git providers, workflow secrets and notification
// channels (their webhook URLs). A Kind says what its records look like (its table, fields,
// rules and which inputs are secrets); the Service validates, keeps names unique, seals the
// secrets with AES-GCM (internal/secret) before they reach the database, keeps a stored secret
// when an update leaves it empty, and writes the audit record in the same transaction. Secrets
// leave only through Record.Open, to the code that uses them; the values a Service returns
// never hold them.
package sealed

import (
	"context"
	"time"

	"ladder/db"
	"ladder/internal/fault"
	"ladder/internal/secret"
)

// Record is one stored record: its id, what may be shown, and its secrets as sealed in the
// database, by purpose.
type Record[V any] struct {
	ID     int64
	Name   string
	Value  V
	Sealed map[string][]byte
	noun   string
	box    *secret.Box
}

// Store reads and writes one kind's table inside a transaction. Get returns sql.ErrNoRows for
// a missing name; Create and Update receive the secrets already sealed, by purpose.
type Store[V, In any] interface {
	Get(ctx context.Context, q *db.Queries, name string) (Record[V], error)
	List(ctx context.Context, q *db.Queries) ([]Record[V], error)
	Create(ctx context.Context, q *db.Queries, in In, sealed map[string][]byte, now time.Time) (Record[V], error)
	Update(ctx context.Context, q *db.Queries, id int64, in In, sealed map[string][]byte, now time.Time) (Record[V], error)
	Delete(ctx context.Context, q *db.Queries, id int64) error
}

// Secret describes one secret input of a kind.
type Secret[In any] struct {
	// Purpose is bound to the ciphertext, so it cannot be reused for another secret.
	Purpose string
	// Value returns the new plaintext; empty keeps the stored one (or stores none).
	Value func(In) string
	// Clear, when set and true, removes the stored secret.
	Clear func(In) bool
	// Changed is the audit note when the secret is replaced or removed ("token replaced").
	Changed string
}

// Kind configures a Service for one kind of record.
type Kind[V, In any] struct {
	// Noun names one record in errors: "argo cd server".
	Noun string
	// Taken is the message when a name is in use; %q is the name.
	Taken string
	// Audit is the audit log's kind: "argocd-server".
	Audit   string
	Store   Store[V, In]
	Secrets []Secret[In]
	// Name returns the input's name.
	Name func(In) string
	// Normalize trims an input before it is checked.
	Normalize func(In) In
	// Check adds the rules validator tags cannot say; old is the stored record, nil on create.
	Check func(in In, old *V, fe fault.FieldErrors)
	// Unique, when set, checks further unique fields (a URL prefix); self is the record's
	// current name, empty on create.
	Unique func(ctx context.Context, q *db.Queries, in In, self string) error
	// Users, when set, names what refers to the record by its name ("workflow e2e", "the
	// model repository"); while it names anything, a delete and a rename are refused.
	Users func(ctx context.Context, q *db.Queries, name string) ([]string, error)
	// Describe says what an input sets, for the audit log, never quoting a secret.
	Describe func(In) string
}

// Labeled names each of names as one of a kind, for Kind.Users: "workflow e2e".
func Labeled(kind string, names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = kind + " " + n
	}
	return out
}

// Records maps the rows of a list query to records.
func Records[R, V any](rows []R, record func(R) Record[V]) []Record[V] {
	out := make([]Record[V], 0, len(rows))
	for _, r := range rows {
		out = append(out, record(r))
	}
	return out
}
