package flow

import (
	"context"

	"ladder/internal/environment"
	"ladder/internal/policy"
)

// StepSettings is the outcome of resolving one step's settings for a product.
type StepSettings struct {
	Environment string
	Production  bool
	Hooks       EnvironmentHooks
	policy.Resolution
}

// Evaluate resolves, for product p, the settings of every step of the flow called name:
// policy resolution with the step's inline settings overriding it, with origins, errors and
// warnings. A step whose environment no longer exists reports that as an error.
func (s *Service) Evaluate(ctx context.Context, name string, p policy.Product) ([]StepSettings, error) {
	f, err := s.Get(ctx, name)
	if err != nil {
		return nil, err
	}
	envs, err := s.envs.List(ctx)
	if err != nil {
		return nil, err
	}
	byName := make(map[string]environment.Environment, len(envs))
	for _, e := range envs {
		byName[e.Name] = e
	}
	policies, err := s.policies.List(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]StepSettings, 0, len(f.Steps))
	for _, st := range f.Steps {
		e, ok := byName[st.Environment]
		res := policy.Resolve(policies, p, policy.Environment{Name: e.Name, Kind: e.Kind, Tags: e.Tags}, st.Settings)
		if !ok {
			res.Errors = append(res.Errors, "environment "+st.Environment+" no longer exists")
		}
		out = append(out, StepSettings{Environment: st.Environment, Production: e.Production(), Hooks: st.Hooks, Resolution: res})
	}
	return out, nil
}
