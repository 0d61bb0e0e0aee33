package sealed

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"ladder/db"
	"ladder/internal/fault"
	"ladder/internal/secret"
)

// Service reads and changes the records of one kind, sealing their secrets with box.
type Service[V, In any] struct {
	db    *sql.DB
	q     *db.Queries
	box   *secret.Box
	check *fault.Validator
	now   func() time.Time
	kind  Kind[V, In]
}

// NewService returns a Service for kind on conn.
func NewService[V, In any](conn *sql.DB, box *secret.Box, check *fault.Validator, now func() time.Time, kind Kind[V, In]) *Service[V, In] {
	return &Service[V, In]{db: conn, q: db.New(conn), box: box, check: check, now: now, kind: kind}
}

// List returns every record, without secrets, by name.
func (s *Service[V, In]) List(ctx context.Context) ([]V, error) {
	recs, err := s.kind.Store.List(ctx, s.q)
	if err != nil {
		return nil, fmt.Errorf("list %ss: %w", s.kind.Noun, err)
	}
	out := make([]V, 0, len(recs))
	for _, r := range recs {
		out = append(out, r.Value)
	}
	return out, nil
}

// Get returns the record called name, without its secrets.
func (s *Service[V, In]) Get(ctx context.Context, name string) (V, error) {
	r, err := s.get(ctx, s.q, name)
	return r.Value, err
}

// Exists reports whether a record called name exists.
func (s *Service[V, In]) Exists(ctx context.Context, name string) (bool, error) {
	_, err := s.get(ctx, s.q, name)
	if errors.Is(err, fault.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// Record returns the record called name with its secrets, for the code that uses them.
func (s *Service[V, In]) Record(ctx context.Context, name string) (Record[V], error) {
	return s.get(ctx, s.q, name)
}

// Records returns every record with its secrets, by name.
func (s *Service[V, In]) Records(ctx context.Context) ([]Record[V], error) {
	recs, err := s.kind.Store.List(ctx, s.q)
	if err != nil {
		return nil, fmt.Errorf("list %ss: %w", s.kind.Noun, err)
	}
	for i := range recs {
		recs[i].box = s.box
		recs[i].noun = s.kind.Noun
	}
	return recs, nil
}

// Longest returns the record whose prefix is the longest prefix of url, or nil when none is.
func (s *Service[V, In]) Longest(ctx context.Context, url string, prefix func(V) string) (*Record[V], error) {
	recs, err := s.Records(ctx)
	if err != nil {
		return nil, err
	}
	var best *Record[V]
	for i, r := range recs {
		p := prefix(r.Value)
		if strings.HasPrefix(url, p) && (best == nil || len(p) > len(prefix(best.Value))) {
			best = &recs[i]
		}
	}
	return best, nil
}

func (s *Service[V, In]) get(ctx context.Context, q *db.Queries, name string) (Record[V], error) {
	r, err := s.kind.Store.Get(ctx, q, name)
	if errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("%s %q: %w", s.kind.Noun, name, fault.ErrNotFound)
	}
	if err != nil {
		return r, fmt.Errorf("get %s %q: %w", s.kind.Noun, name, err)
	}
	r.noun, r.box = s.kind.Noun, s.box
	return r, nil
}

// Open returns the plaintext of the record's secret for purpose; empty when none is stored.
func (r Record[V]) Open(purpose string) (string, error) {
	sealed := r.Sealed[purpose]
	if len(sealed) == 0 {
		return "", nil
	}
	if r.box == nil {
		return "", fmt.Errorf("%s %q: %w", r.noun, r.Name, secret.ErrDecrypt)
	}
	plain, err := r.box.Open(purpose, sealed)
	if err != nil {
		return "", fmt.Errorf("%s %q: %w", r.noun, r.Name, err)
	}
	return string(plain), nil
}

// Purposes lists the purposes of the kind's secrets, in the order the kind declares them.
func (s *Service[V, In]) Purposes() []string {
	out := make([]string, 0, len(s.kind.Secrets))
	for _, sec := range s.kind.Secrets {
		out = append(out, sec.Purpose)
	}
	return out
}
