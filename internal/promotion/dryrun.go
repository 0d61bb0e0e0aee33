package promotion

import (
	"context"
	"time"

	"ladder/internal/environment"
	"ladder/internal/gitops"
	"ladder/internal/pin"
	"ladder/internal/release"
)

// DryRun is what starting a release would do, worked out without writing anything: the plan
// Start would hand the runner, whether each target environment is frozen, and the patch each
// target application's branch would receive if the release ran now.
type DryRun struct {
	Product      string
	Flow         string // empty for a single promotion
	Version      string
	SourceApp    string // the trigger environment's application the values are read from
	Trigger      release.Commit
	Hooks        release.Hooks // the release's hooks, from the flow
	Environments []DryRunEnvironment
}

// DryRunEnvironment is one environment of a dry run, in the order of the plan.
type DryRunEnvironment struct {
	Name      string
	Kind      string
	IsTrigger bool
	DependsOn []string
	// Settings are the resolved pre-action, action and post-action, each with its origin (a
	// policy's name, "flow step" or "request").
	Settings release.Settings
	Hooks    release.EnvironmentHooks
	// Frozen reports that the environment refuses promotions now; Blocker is the sentence a
	// release waiting on it would show.
	Frozen  bool
	Blocker string
	// Pin is the pin holding the product in this environment, if any: automatic releases
	// wait there, and a person's release needs to confirm it.
	Pin *pin.Pin
	// Soak is how long the environments this one depends on must have run the version first.
	Soak         release.Soak
	Applications []DryRunApplication
}

// DryRunApplication is what the release would do to one target application.
type DryRunApplication struct {
	release.Target
	// Verify says how the promotion would be checked: an Argo CD application, a health URL, or
	// "" when the pushed commit is the result.
	Verify string
	// Branch is the branch the change would be written to: the target branch for a commit, the
	// release's pull-request branch (numbered when the release starts) for a pull request.
	Branch string
	// Base is the target branch head the patch applies to.
	Base string
	// Patch is the change as the patch of the commit the action would make (gitops.Patch);
	// empty when nothing would change or the action writes nothing.
	Patch     string
	NoChanges bool
	// Error is why the action would fail on the branch as it is now.
	Error string
}

// Steps names what runs in the environment, in order: hooks, pre-action, action, verification
// and post-action.
func (e DryRunEnvironment) Steps() []string {
	if e.IsTrigger {
		return []string{"values read from " + e.sourceNote()}
	}
	var out []string
	add := func(what, name string) {
		if name != "" {
			out = append(out, what+": "+name)
		}
	}
	add("hook before", e.Hooks.Pre)
	add("pre-action", e.Settings.PreAction.Value)
	add("action", e.Settings.Action.Value)
	for _, a := range e.Applications {
		if a.Verify != "" {
			out = append(out, "verify "+a.Name+": "+a.Verify)
		}
	}
	add("post-action", e.Settings.PostAction.Value)
	add("hook after", e.Hooks.Post)
	return out
}

func (e DryRunEnvironment) sourceNote() string {
	if len(e.Applications) == 0 {
		return e.Name
	}
	return e.Applications[0].Name
}

// DryRun plans req exactly as Start does, checks that who could start it, and works out what
// it would change, without writing to Git or to the release tables. A target application whose
// change cannot be worked out carries the reason in its Error; the dry run itself still answers.
func (s *Service) DryRun(ctx context.Context, who Actor, req Request) (DryRun, error) {
	if err := s.mayAsk(ctx, who, req); err != nil {
		return DryRun{}, err
	}
	spec, err := s.Plan(ctx, who, req)
	if err != nil {
		return DryRun{}, err
	}
	if err := s.authorize(ctx, who, ActStart, specScope(ActStart, spec), targetsOf(spec)); err != nil {
		return DryRun{}, err
	}
	out := DryRun{Product: spec.Product, Flow: spec.Flow, Version: spec.Version, SourceApp: spec.SourceApp,
		Trigger: spec.Trigger, Hooks: spec.Plan.Hooks}
	now := time.Now()
	for _, e := range spec.Environments {
		env, err := s.envs.Get(ctx, e.Name)
		if err != nil {
			return DryRun{}, err
		}
		de := DryRunEnvironment{Name: e.Name, Kind: env.Kind, IsTrigger: e.IsTrigger, DependsOn: e.DependsOn,
			Settings: e.Settings, Hooks: e.Hooks, Soak: e.Soak}
		if e.IsTrigger {
			de.Applications = []DryRunApplication{{Target: spec.Plan.Source, Branch: spec.Plan.Source.Branch, Base: spec.Trigger.SHA}}
			out.Environments = append(out.Environments, de)
			continue
		}
		if de.Blocker, err = s.plan.freezeBlocker(ctx, spec.Product, env, now); err != nil {
			return DryRun{}, err
		}
		de.Frozen = de.Blocker != ""
		if s.pins != nil {
			p, ok, err := s.pins.Find(ctx, spec.Product, e.Name)
			if err != nil {
				return DryRun{}, err
			}
			if ok {
				de.Pin = &p
			}
		}
		for _, a := range e.Applications {
			de.Applications = append(de.Applications, s.plan.dryRunApp(ctx, spec, e, a))
		}
		out.Environments = append(out.Environments, de)
	}
	return out, nil
}

// dryRunApp works out what the action of environment e would do to application a.
func (p *Planner) dryRunApp(ctx context.Context, spec release.Spec, e release.EnvironmentSpec, a release.Target) DryRunApplication {
	out := DryRunApplication{Target: a, Verify: verifyOf(a), Branch: a.Branch}
	action := e.Settings.Action.Value
	if action != release.ActionCommit && action != release.ActionPullRequest {
		return out // no Git change by Ladder: the pre-action is expected to make it
	}
	res, err := p.previewApp(ctx, spec, a)
	if err != nil {
		out.Error = err.Error()
		return out
	}
	out.Base, out.NoChanges, out.Branch = res.Base, res.NoChanges, res.Branch
	if action == release.ActionPullRequest {
		// The release's number is only known once it starts.
		out.Branch = "ladder/" + spec.Product + "/<release number>/" + e.Name
	}
	if out.Patch, err = gitops.Patch(res.Changes); err != nil {
		out.Error = err.Error()
	}
	return out
}

// verifyOf says how the runner would verify a promotion of a (see runner.verifies).
func verifyOf(a release.Target) string {
	switch {
	case a.ArgocdServer != "" && a.ArgocdApp != "":
		return "Argo CD application " + a.ArgocdApp + " on " + a.ArgocdServer + " synced and healthy"
	case a.HealthURL != "":
		return a.HealthURL + " answers 2xx"
	}
	return ""
}

// freezeBlocker is the blocker a release of product would meet in env now: its manual freeze
// or a freeze window holding it, as the runner asks.
func (p *Planner) freezeBlocker(ctx context.Context, product string, env environment.Environment, now time.Time) (string, error) {
	if p.Windows != nil {
		return p.Windows.Blocker(ctx, product, env, false)
	}
	if env.FrozenAt(now) {
		return env.Blocker(), nil
	}
	return "", nil
}
