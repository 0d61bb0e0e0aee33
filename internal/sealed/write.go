package sealed

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"ladder/db"
	"ladder/internal/audit"
	"ladder/internal/fault"
)

// Create stores a new record with its secrets sealed.
func (s *Service[V, In]) Create(ctx context.Context, in In) (V, error) {
	var created V
	err := db.InTx(ctx, s.db, func(q *db.Queries) (err error) {
		created, err = s.CreateTx(ctx, q, in)
		return err
	})
	return created, err
}

// CreateTx is Create inside the caller's transaction q, so that several changes (a whole
// model being applied) commit together or not at all.
func (s *Service[V, In]) CreateTx(ctx context.Context, q *db.Queries, in In) (V, error) {
	in = s.kind.Normalize(in)
	var created V
	fe := s.check.Struct(in)
	s.kind.Check(in, nil, fe)
	if len(fe) > 0 {
		return created, fe
	}
	name := s.kind.Name(in)
	if err := s.unique(ctx, q, in, ""); err != nil {
		return created, err
	}
	now := s.now().UTC()
	r, err := s.kind.Store.Create(ctx, q, in, s.seal(in, nil), now)
	if err != nil {
		return created, fmt.Errorf("create %s %q: %w", s.kind.Noun, name, err)
	}
	return r.Value, audit.Record(ctx, q, now, audit.Entry{Actor: audit.Actor(ctx), Action: "create",
		Kind: s.kind.Audit, Name: name, Detail: s.kind.Describe(in)})
}

// Update changes the record called name; an empty secret keeps the stored one.
func (s *Service[V, In]) Update(ctx context.Context, name string, in In) (V, error) {
	var updated V
	err := db.InTx(ctx, s.db, func(q *db.Queries) (err error) {
		updated, err = s.UpdateTx(ctx, q, name, in)
		return err
	})
	return updated, err
}

// UpdateTx is Update inside the caller's transaction q.
func (s *Service[V, In]) UpdateTx(ctx context.Context, q *db.Queries, name string, in In) (V, error) {
	in = s.kind.Normalize(in)
	var updated V
	old, err := s.get(ctx, q, name)
	if err != nil {
		return updated, err
	}
	fe := s.check.Struct(in)
	s.kind.Check(in, &old.Value, fe)
	if err := s.keepsName(ctx, q, name, in, fe); err != nil {
		return updated, err
	}
	if len(fe) > 0 {
		return updated, fe
	}
	if err := s.unique(ctx, q, in, name); err != nil {
		return updated, err
	}
	now := s.now().UTC()
	r, err := s.kind.Store.Update(ctx, q, old.ID, in, s.seal(in, old.Sealed), now)
	if err != nil {
		return updated, fmt.Errorf("update %s %q: %w", s.kind.Noun, name, err)
	}
	return r.Value, audit.Record(ctx, q, now, audit.Entry{Actor: audit.Actor(ctx), Action: "update",
		Kind: s.kind.Audit, Name: s.kind.Name(in), Detail: s.changes(in, name)})
}

// Delete removes the record called name, unless something still refers to it.
func (s *Service[V, In]) Delete(ctx context.Context, name string) error {
	return db.InTx(ctx, s.db, func(q *db.Queries) error { return s.DeleteTx(ctx, q, name) })
}

// DeleteTx is Delete inside the caller's transaction q.
func (s *Service[V, In]) DeleteTx(ctx context.Context, q *db.Queries, name string) error {
	r, err := s.get(ctx, q, name)
	if err != nil {
		return err
	}
	if users, err := s.users(ctx, q, name); err != nil {
		return err
	} else if len(users) > 0 {
		return fmt.Errorf("%s is used by %s: %w", s.named(name), strings.Join(users, ", "), fault.ErrConflict)
	}
	if err := s.kind.Store.Delete(ctx, q, r.ID); err != nil {
		return fmt.Errorf("delete %s %q: %w", s.kind.Noun, name, err)
	}
	return audit.Record(ctx, q, s.now().UTC(), audit.Entry{Actor: audit.Actor(ctx), Action: "delete",
		Kind: s.kind.Audit, Name: name})
}

// RecordTx returns the record called name with its secrets, read through q.
func (s *Service[V, In]) RecordTx(ctx context.Context, q *db.Queries, name string) (Record[V], error) {
	return s.get(ctx, q, name)
}

// seal returns the secrets to store: each new one sealed, a cleared one removed, else the old.
func (s *Service[V, In]) seal(in In, old map[string][]byte) map[string][]byte {
	out := make(map[string][]byte, len(s.kind.Secrets))
	for _, sec := range s.kind.Secrets {
		switch v := sec.Value(in); {
		case v != "":
			out[sec.Purpose] = s.box.Seal(sec.Purpose, []byte(v))
		case sec.Clear != nil && sec.Clear(in):
			out[sec.Purpose] = nil
		default:
			out[sec.Purpose] = old[sec.Purpose]
		}
	}
	return out
}

// keepsName adds an error to the name field when in renames the record called name while
// something refers to it by that name, which a rename would leave pointing at nothing.
func (s *Service[V, In]) keepsName(ctx context.Context, q *db.Queries, name string, in In, fe fault.FieldErrors) error {
	if s.kind.Name(in) == name {
		return nil
	}
	users, err := s.users(ctx, q, name)
	if len(users) > 0 {
		fe.Add("name", s.named(name)+" is used by "+strings.Join(users, ", ")+
			", so it keeps its name: to rename it, add one under the new name and move those to it")
	}
	return err
}

// users names what refers to the record called name (Kind.Users); none when the kind has no
// users.
func (s *Service[V, In]) users(ctx context.Context, q *db.Queries, name string) ([]string, error) {
	if s.kind.Users == nil {
		return nil, nil
	}
	users, err := s.kind.Users(ctx, q, name)
	if err != nil {
		return nil, fmt.Errorf("what uses %s: %w", s.named(name), err)
	}
	return users, nil
}

// named is the record called name as messages say it: "argo cd server prod".
func (s *Service[V, In]) named(name string) string { return s.kind.Noun + " " + name }

// changes describes an update for the audit log.
func (s *Service[V, In]) changes(in In, oldName string) string {
	detail := s.kind.Describe(in)
	for _, sec := range s.kind.Secrets {
		if sec.Value(in) != "" || (sec.Clear != nil && sec.Clear(in)) {
			detail += "; " + sec.Changed
		}
	}
	if name := s.kind.Name(in); name != oldName {
		detail = "renamed from " + oldName + "; " + detail
	}
	return detail
}

// unique checks the name (and the kind's other unique fields) are free, ignoring the record
// called self.
func (s *Service[V, In]) unique(ctx context.Context, q *db.Queries, in In, self string) error {
	if name := s.kind.Name(in); name != self {
		_, err := s.get(ctx, q, name)
		if err == nil {
			return fault.FieldErrors{"name": fmt.Sprintf(s.kind.Taken, name)}
		}
		if !errors.Is(err, fault.ErrNotFound) {
			return fmt.Errorf("check name %q: %w", name, err)
		}
	}
	if s.kind.Unique != nil {
		return s.kind.Unique(ctx, q, in, self)
	}
	return nil
}
