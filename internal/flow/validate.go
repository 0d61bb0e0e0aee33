package flow

import (
	"context"
	"fmt"
	"strings"

	"ladder/db"
	"ladder/internal/fault"
	"ladder/internal/workflow"
)

// validate normalizes in, fills each step's default dependsOn, and returns every problem as
// FieldErrors keyed by form field (steps.2.dependsOn). old is the flow's current name when
// updating, empty when creating. It reads through q, the transaction that writes the flow.
func (s *Service) validate(ctx context.Context, q *db.Queries, in Input, old string) (Input, error) {
	in = normalize(in)
	defaultDependsOn(in.TriggerEnvironment, in.Steps)
	fe := s.check.Struct(in)
	if in.Name == "new" {
		fe.Add("name", `"new" is reserved for the page that creates a flow`)
	}
	if in.TimeoutMinutes < 1 || in.TimeoutMinutes > 43200 {
		fe.Add("timeout", "must be between 1 and 43200 minutes (30 days)")
	}
	for i, st := range in.Steps {
		for k, v := range s.check.Struct(st) {
			fe.Add(fmt.Sprintf("steps.%d.%s", i, k), v)
		}
		checkSoak(fe, fmt.Sprintf("steps.%d.soak", i), in.Steps[i].Soak, in.TimeoutMinutes)
	}
	for k, v := range checkGraph(in.TriggerEnvironment, in.Steps) {
		fe.Add(k, v)
	}
	if err := checkExists(ctx, q, in, old, fe); err != nil {
		return in, err
	}
	return in, fe.Err()
}

// checkExists adds a problem for a taken name and for each environment or workflow named
// that does not exist.
func checkExists(ctx context.Context, q *db.Queries, in Input, old string, fe fault.FieldErrors) error {
	if in.Name != old {
		n, err := q.CountFlowsByName(ctx, in.Name)
		if err != nil {
			return fmt.Errorf("check name %q: %w", in.Name, err)
		}
		if n > 0 {
			fe.Add("name", fmt.Sprintf("a flow called %q already exists", in.Name))
		}
	}
	envs, err := q.ListEnvironments(ctx)
	if err != nil {
		return fmt.Errorf("list environments: %w", err)
	}
	known := map[string]bool{}
	for _, e := range envs {
		known[e.Name] = true
	}
	noEnv := func(key, name string) {
		if name != "" && !known[name] {
			fe.Add(key, fmt.Sprintf("there is no environment called %q", name))
		}
	}
	noEnv("triggerEnvironment", in.TriggerEnvironment)
	refs := map[string]string{"hooks.onStart": in.Hooks.OnStart, "hooks.onSuccess": in.Hooks.OnSuccess,
		"hooks.onFail": in.Hooks.OnFail}
	for i, st := range in.Steps {
		p := fmt.Sprintf("steps.%d.", i)
		noEnv(p+"environment", st.Environment)
		refs[p+"preAction"], refs[p+"postAction"] = st.Settings.PreAction, st.Settings.PostAction
		refs[p+"preHook"], refs[p+"postHook"], refs[p+"onFailHook"] = st.Hooks.Pre, st.Hooks.Post, st.Hooks.OnFail
	}
	for key, name := range refs {
		missing, err := workflow.Missing(ctx, q, name)
		if err != nil {
			return err
		}
		if len(missing) > 0 {
			fe.Add(strings.TrimPrefix(key, "hooks."), fmt.Sprintf("there is no workflow called %q", name))
		}
	}
	return nil
}

func normalize(in Input) Input {
	in.Name = strings.TrimSpace(in.Name)
	in.Description = strings.TrimSpace(in.Description)
	in.Version = strings.TrimSpace(in.Version)
	in.TriggerEnvironment = strings.TrimSpace(in.TriggerEnvironment)
	if in.TimeoutMinutes == 0 {
		in.TimeoutMinutes = DefaultTimeoutMinutes
	}
	for i := range in.Steps {
		st := &in.Steps[i]
		st.Environment = strings.TrimSpace(st.Environment)
		deps := st.DependsOn[:0:0]
		for _, d := range st.DependsOn {
			if d = strings.TrimSpace(d); d != "" {
				deps = append(deps, d)
			}
		}
		st.DependsOn = deps
		if st.Soak != nil {
			soak := Soak{After: strings.TrimSpace(st.Soak.After), Health: st.Soak.Health}
			st.Soak = &soak
			if soak == (Soak{}) {
				st.Soak = nil // an empty soak in a form or document is no soak
			}
		}
	}
	return in
}
