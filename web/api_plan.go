package web

import (
	"ladder/internal/freeze"
	"ladder/internal/promotion"
	"ladder/internal/release"
)

// planJSON is a dry run of a release as the API shows it: what starting it would do, with
// nothing written.
type planJSON struct {
	DryRun       bool              `json:"dryRun"` // always true: nothing was created
	Product      string            `json:"product"`
	Flow         string            `json:"flow"` // empty for a single promotion
	Version      string            `json:"version"`
	SourceApp    string            `json:"sourceApplication"`
	Trigger      commitJSON        `json:"trigger"`
	Hooks        release.Hooks     `json:"hooks"`
	Environments []planEnvironment `json:"environments"`
}

// planEnvironment is one environment of a dry run.
type planEnvironment struct {
	Name      string   `json:"name"`
	Kind      string   `json:"kind"`
	Trigger   bool     `json:"trigger"`
	DependsOn []string `json:"dependsOn"`
	// Settings are the resolved pre-action, action and post-action with the policy (or "flow
	// step", "request") each came from.
	Settings release.Settings         `json:"settings"`
	Hooks    release.EnvironmentHooks `json:"hooks"`
	Frozen   bool                     `json:"frozen"`
	Blocker  string                   `json:"blocker"`
	// Pinned is the pin's sentence ("pinned at 1.3.1 by ann: …") when the product is pinned
	// there: automatic releases wait, a person's start needs confirmPin.
	Pinned string `json:"pinned,omitempty"`
	// Soak is how long the environments it depends on must have run the version before it
	// starts, and whether their health is checked then.
	Soak         *soakJSON         `json:"soak,omitempty"`
	Steps        []string          `json:"steps"` // what runs there, in order
	Applications []planApplication `json:"applications"`
}

// soakJSON is an environment's soak: a Go duration and whether health is checked at its end.
type soakJSON struct {
	After  string `json:"after"`
	Health bool   `json:"health,omitempty"`
}

// soakOut is s as the API shows it; nil when there is no soak.
func soakOut(s release.Soak) *soakJSON {
	if s.After <= 0 {
		return nil
	}
	return &soakJSON{After: freeze.FormatDuration(s.After), Health: s.Health}
}

// planApplication is what the release would do to one application.
type planApplication struct {
	Name      string `json:"name"`
	RepoURL   string `json:"repoURL"`
	Branch    string `json:"branch"` // where the change would be written
	Path      string `json:"path"`
	Base      string `json:"base"` // the branch head the patch applies to
	Verify    string `json:"verify"`
	Patch     string `json:"patch"` // the would-be commit's patch; empty when nothing changes
	NoChanges bool   `json:"noChanges"`
	Error     string `json:"error"`
}

func planOut(p promotion.DryRun) planJSON {
	out := planJSON{DryRun: true, Product: p.Product, Flow: p.Flow, Version: p.Version, SourceApp: p.SourceApp,
		Trigger: commitJSON{p.Trigger.SHA, p.Trigger.Message, p.Trigger.Author, p.Trigger.Branch}, Hooks: p.Hooks,
		Environments: make([]planEnvironment, 0, len(p.Environments))}
	for _, e := range p.Environments {
		pe := planEnvironment{Name: e.Name, Kind: e.Kind, Trigger: e.IsTrigger, DependsOn: e.DependsOn, Settings: e.Settings,
			Hooks: e.Hooks, Frozen: e.Frozen, Blocker: e.Blocker, Steps: e.Steps(), Applications: []planApplication{}}
		if e.Pin != nil {
			pe.Pinned = e.Pin.Blocker()
		}
		pe.Soak = soakOut(e.Soak)
		if pe.DependsOn == nil {
			pe.DependsOn = []string{}
		}
		for _, a := range e.Applications {
			pe.Applications = append(pe.Applications, planApplication{Name: a.Name, RepoURL: a.RepoURL, Branch: a.Branch,
				Path: a.Path, Base: a.Base, Verify: a.Verify, Patch: a.Patch, NoChanges: a.NoChanges, Error: a.Error})
		}
		out.Environments = append(out.Environments, pe)
	}
	return out
}
