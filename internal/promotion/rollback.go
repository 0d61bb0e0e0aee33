package promotion

import (
	"context"
	"fmt"
	"time"

	"ladder/internal/fault"
	"ladder/internal/flow"
	"ladder/internal/policy"
	"ladder/internal/release"
)

// RollbackSpec resolves a roll back into a release spec: a new manual release that promotes
// the values stored by the SUCCEEDED release releaseID — not what its source holds today — to
// environment env, with the settings the policies give env now.
func (p *Planner) RollbackSpec(ctx context.Context, releases *release.Service, releaseID, env, initiator string) (release.Spec, error) {
	old, err := releases.Get(ctx, releaseID)
	if err != nil {
		return release.Spec{}, err
	}
	if old.Status != release.Succeeded {
		return release.Spec{}, fmt.Errorf("release %s is %s; only a succeeded release can be rolled back to: %w", releaseID, old.Status, fault.ErrConflict)
	}
	if env == "" {
		return release.Spec{}, fault.FieldErrors{"environment": "is required"}
	}
	if env == old.TriggerEnv {
		return release.Spec{}, fault.FieldErrors{"environment": "must differ from the release's source environment " + old.TriggerEnv}
	}
	m, err := p.manualStep(ctx, old.Product, env, policy.Settings{}, "environment")
	if err != nil {
		return release.Spec{}, err
	}
	trigger := old.Trigger
	trigger.Message = fmt.Sprintf("roll back to release #%d (version %s)", old.Number, old.Version)
	return release.Spec{Product: m.prod.Name, Version: old.Version, TriggerEnv: old.TriggerEnv,
		SourceApp: old.SourceApp, Initiator: initiator, Trigger: trigger, Plan: old.Plan,
		Timeout: time.Duration(flow.DefaultTimeoutMinutes) * time.Minute,
		Environments: []release.EnvironmentSpec{{Name: old.TriggerEnv, IsTrigger: true},
			{Name: m.env.Name, DependsOn: []string{old.TriggerEnv}, Settings: settingsOf(m.res), Applications: m.targets}}}, nil
}
