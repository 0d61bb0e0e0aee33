package promotion

import (
	"context"
	"fmt"
	"strings"

	"ladder/internal/fault"
	"ladder/internal/release"
)

// FreezeOverride asks to let one release through the freeze windows of one of its
// environments, where it waits.
type FreezeOverride struct {
	ReleaseID   string
	Environment string
	Reason      string // required; recorded with the release and in the audit log
}

// MayOverrideFreeze reports whether who may override the freeze windows of env for release rel
// (pages offer the action only then).
func (s *Service) MayOverrideFreeze(ctx context.Context, who Actor, rel release.Release, env string) bool {
	return s.authorize(ctx, who, ActOverrideFreeze, scopeOf(rel), []string{env}) == nil
}

// OverrideFreeze lets release o.ReleaseID through the freeze windows holding o.Environment
// for who, with a reason. A manual freeze of the environment is not a window and still holds.
func (s *Service) OverrideFreeze(ctx context.Context, who Actor, o FreezeOverride) error {
	rel, err := s.releases.Get(ctx, o.ReleaseID)
	if err != nil {
		return err
	}
	if _, ok := rel.Environment(o.Environment); !ok {
		return fault.FieldErrors{"environment": fmt.Sprintf("release %s has no environment %q", rel.ID, o.Environment)}
	}
	if err := s.authorize(ctx, who, ActOverrideFreeze, scopeOf(rel), []string{o.Environment}); err != nil {
		return err
	}
	reason := strings.TrimSpace(o.Reason)
	if reason == "" || len(reason) > 500 {
		return fault.FieldErrors{"reason": "give a reason (up to 500 characters); it is recorded with the release"}
	}
	env, err := s.envs.Get(ctx, o.Environment)
	if err != nil {
		return err
	}
	if s.plan.Windows == nil {
		return fmt.Errorf("no freeze window holds %s now: %w", env.Name, fault.ErrConflict)
	}
	held, err := s.plan.Windows.Blocker(ctx, rel.Product, env, false)
	if err != nil {
		return err
	}
	if manual := env.FrozenAt(s.plan.Windows.Now()); held == "" || manual {
		if manual {
			return fmt.Errorf("%s is frozen by hand (%s); unfreeze it instead: %w", env.Name, env.FreezeReason, fault.ErrConflict)
		}
		return fmt.Errorf("no freeze window holds %s now: %w", env.Name, fault.ErrConflict)
	}
	return s.engine.OverrideFreeze(ctx, rel.ID, env.Name, who.Name(), reason)
}
