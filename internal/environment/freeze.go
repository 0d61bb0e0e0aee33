package environment

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"ladder/db"
	"ladder/internal/audit"
)

// Freeze stops promotions into the environment called name until it is unfrozen or, when
// in.Until is set, until that time passes.
func (s *Service) Freeze(ctx context.Context, name string, in FreezeInput) (Environment, error) {
	in.Reason = strings.TrimSpace(in.Reason)
	fe := s.check.Struct(in)
	if in.Until != nil && !in.Until.After(s.now()) {
		fe.Add("until", "must be in the future")
	}
	if len(fe) > 0 {
		return Environment{}, fe
	}
	until := sql.NullTime{}
	detail := in.Reason
	if in.Until != nil {
		until = sql.NullTime{Time: in.Until.UTC(), Valid: true}
		detail += " (until " + in.Until.UTC().Format("2006-01-02 15:04 UTC") + ")"
	}
	return s.setFreeze(ctx, name, db.SetEnvironmentFreezeParams{Frozen: true, FreezeReason: in.Reason, FrozenUntil: until},
		audit.Entry{Action: "freeze", Detail: detail})
}

// Unfreeze lets promotions into the environment called name again.
func (s *Service) Unfreeze(ctx context.Context, name string) (Environment, error) {
	return s.setFreeze(ctx, name, db.SetEnvironmentFreezeParams{}, audit.Entry{Action: "unfreeze"})
}

func (s *Service) setFreeze(ctx context.Context, name string, p db.SetEnvironmentFreezeParams, entry audit.Entry) (Environment, error) {
	var updated Environment
	err := db.InTx(ctx, s.db, func(q *db.Queries) error {
		e, err := get(ctx, q, name)
		if err != nil {
			return err
		}
		now := s.now().UTC()
		p.ID, p.UpdatedAt = e.ID, now
		r, err := q.SetEnvironmentFreeze(ctx, p)
		if err != nil {
			return fmt.Errorf("%s environment %q: %w", entry.Action, name, err)
		}
		if updated, err = fromRow(r); err != nil {
			return err
		}
		entry.Actor, entry.Kind, entry.Name = audit.Actor(ctx), "environment", name
		return audit.Record(ctx, q, now, entry)
	})
	return updated, err
}
