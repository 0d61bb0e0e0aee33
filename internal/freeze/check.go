package freeze

import (
	"context"

	"ladder/internal/environment"
	"ladder/internal/policy"
)

// Blocker returns why a release of product may not enter environment e now, or "" when it
// may: the environment's manual freeze first (no override lifts it), then the freeze window
// holding it, unless the release has overridden the windows there (windowsOverridden).
func (s *Service) Blocker(ctx context.Context, product string, e environment.Environment, windowsOverridden bool) (string, error) {
	now := s.now()
	if e.FrozenAt(now) {
		return e.Blocker(), nil
	}
	if windowsOverridden {
		return "", nil
	}
	o, ok, err := s.Holding(ctx, product, Target(e), now)
	if err != nil || !ok {
		return "", err
	}
	return o.Blocker(now), nil
}

// Target is what a window's selector looks at in environment e.
func Target(e environment.Environment) policy.Environment {
	return policy.Environment{Name: e.Name, Kind: e.Kind, Tags: e.Tags}
}
