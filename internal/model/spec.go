package model

import (
	"ladder/internal/application"
	"ladder/internal/environment"
	"ladder/internal/flow"
	"ladder/internal/freeze"
	"ladder/internal/policy"
	"ladder/internal/product"
	"ladder/internal/workflow"
)

// The spec of each kind, with the field names of the specification. JSON tags name the fields
// (the YAML is converted through them) and omit what is empty, so exports stay short.

// EnvironmentSpec is the spec of an Environment document. Position is the environment's place
// on the dashboard, counted from 1. Freezes are operational state and not part of the model.
type EnvironmentSpec struct {
	Kind        string   `json:"kind"`
	Position    int64    `json:"position,omitempty"`
	Tags        []string `json:"tags,omitempty"`
	Description string   `json:"description,omitempty"`
}

// ApplicationSpec is the spec of an Application document; its name is unique per environment.
type ApplicationSpec struct {
	Environment  string `json:"environment"`
	Product      string `json:"product"`
	RepoURL      string `json:"repoURL"`
	Branch       string `json:"branch,omitempty"`
	Path         string `json:"path,omitempty"`
	ArgocdServer string `json:"argocdServer,omitempty"`
	ArgocdApp    string `json:"argocdApp,omitempty"`
	HealthURL    string `json:"healthURL,omitempty"`
	// DiscoveredFrom is set on export for an application discovered on that Argo CD server; it
	// is informative and not applied on import.
	DiscoveredFrom string `json:"discoveredFrom,omitempty"`
}

// ProductSpec is the spec of a Product document.
type ProductSpec struct {
	Tags              []string          `json:"tags,omitempty"`
	Description       string            `json:"description,omitempty"`
	PromotionTemplate *TemplateSpec     `json:"promotionTemplate,omitempty"`
	Flows             []product.FlowRef `json:"flows,omitempty"`
	Concurrency       string            `json:"concurrency,omitempty"`
	QueueLimit        int               `json:"queueLimit,omitempty"`
}

// TemplateSpec is a product's promotion template.
type TemplateSpec struct {
	VersionSource *product.VersionSource `json:"versionSource,omitempty"`
	Promotion     []product.Entry        `json:"promotion,omitempty"`
}

// WorkflowSpec is the spec of a PromotionWorkflow document; Timeout is a Go duration.
type WorkflowSpec struct {
	Description string          `json:"description,omitempty"`
	Timeout     string          `json:"timeout,omitempty"`
	Steps       []workflow.Step `json:"steps"`
}

// PolicySpec is the spec of a PromotionPolicy document; no selector makes a global policy.
// Binding makes its settings gates a promoter cannot remove in a manual promotion.
type PolicySpec struct {
	Priority int64           `json:"priority"`
	Selector *SelectorSpec   `json:"selector,omitempty"`
	Settings policy.Settings `json:"settings,omitzero"`
	Binding  bool            `json:"binding,omitempty"`
}

// SelectorSpec chooses the products and environments a policy applies to.
type SelectorSpec struct {
	Products     *policy.ProductSelector     `json:"products,omitempty"`
	Environments *policy.EnvironmentSelector `json:"environments,omitempty"`
}

// FlowSpec is the spec of a PromotionFlow document; Timeout is in minutes.
type FlowSpec struct {
	Description        string            `json:"description,omitempty"`
	Version            string            `json:"version,omitempty"`
	TriggerEnvironment string            `json:"triggerEnvironment"`
	Steps              []flow.Step       `json:"steps"`
	Hooks              flow.ReleaseHooks `json:"hooks,omitzero"`
	Timeout            int64             `json:"timeout,omitempty"`
}

// EnvironmentSpecOf is e as a spec; rank is its place on the dashboard, from 1.
func EnvironmentSpecOf(e environment.Environment, rank int) EnvironmentSpec {
	return EnvironmentSpec{Kind: e.Kind, Position: int64(rank), Tags: e.Tags, Description: e.Description}
}

// Input is what the environment service needs to create or update the environment name.
func (s EnvironmentSpec) Input(name string) environment.Input {
	return environment.Input{Name: name, Kind: s.Kind, Tags: s.Tags, Description: s.Description}
}

// ApplicationSpecOf is a as a spec.
func ApplicationSpecOf(a application.Application) ApplicationSpec {
	return ApplicationSpec{Environment: a.Environment, Product: a.Product, RepoURL: a.RepoURL, Branch: a.Branch,
		Path: a.Path, ArgocdServer: a.ArgocdServer, ArgocdApp: a.ArgocdApp, HealthURL: a.HealthURL,
		DiscoveredFrom: a.DiscoveredFrom}
}

// Input is what the application service needs to create or update the application name.
func (s ApplicationSpec) Input(name string) application.Input {
	return application.Input{Name: name, Environment: s.Environment, Product: s.Product, RepoURL: s.RepoURL,
		Branch: s.Branch, Path: s.Path, ArgocdServer: s.ArgocdServer, ArgocdApp: s.ArgocdApp, HealthURL: s.HealthURL}
}

// ProductSpecOf is p as a spec.
func ProductSpecOf(p product.Product) ProductSpec {
	s := ProductSpec{Tags: p.Tags, Description: p.Description, Flows: p.Flows, Concurrency: p.Concurrency,
		QueueLimit: p.QueueLimit}
	t := TemplateSpec{Promotion: p.Template.Promotion}
	if vs := p.Template.VersionSource; vs != (product.VersionSource{}) {
		t.VersionSource = &vs
	}
	if t.VersionSource != nil || len(t.Promotion) > 0 {
		s.PromotionTemplate = &t
	}
	return s
}

// Input is what the product service needs to create or update the product name. It fills
// the defaults a form would: concurrency queue and the default queue limit.
func (s ProductSpec) Input(name string) product.Input {
	in := product.Input{Name: name, Tags: s.Tags, Description: s.Description, Flows: s.Flows,
		Concurrency: s.Concurrency, QueueLimit: s.QueueLimit}
	if in.Concurrency == "" {
		in.Concurrency = product.ConcurrencyQueue
	}
	if in.QueueLimit == 0 {
		in.QueueLimit = product.DefaultQueueLimit
	}
	if t := s.PromotionTemplate; t != nil {
		in.Template.Promotion = t.Promotion
		if t.VersionSource != nil {
			in.Template.VersionSource = *t.VersionSource
		}
	}
	return in
}

// WorkflowSpecOf is w as a spec.
func WorkflowSpecOf(w workflow.Workflow) WorkflowSpec {
	return WorkflowSpec{Description: w.Description, Timeout: freeze.FormatDuration(w.Timeout), Steps: w.Steps}
}

// Input is what the workflow service needs to create or update the workflow name.
func (s WorkflowSpec) Input(name string) workflow.Input {
	return workflow.Input{Name: name, Description: s.Description, Timeout: s.Timeout, Steps: s.Steps}
}

// PolicySpecOf is p as a spec.
func PolicySpecOf(p policy.Policy) PolicySpec {
	s := PolicySpec{Priority: p.Priority, Settings: p.Settings, Binding: p.Binding}
	if !p.Selector.Global() {
		s.Selector = &SelectorSpec{}
		if ps := p.Selector.Products; len(ps.Names)+len(ps.Tags) > 0 {
			s.Selector.Products = &ps
		}
		if es := p.Selector.Environments; len(es.Names)+len(es.Kinds)+len(es.Tags) > 0 {
			s.Selector.Environments = &es
		}
	}
	return s
}

// Input is what the policy service needs to create or update the policy name.
func (s PolicySpec) Input(name string) policy.Input {
	in := policy.Input{Name: name, Priority: s.Priority, Settings: s.Settings, Binding: s.Binding}
	if sel := s.Selector; sel != nil {
		if sel.Products != nil {
			in.Selector.Products = *sel.Products
		}
		if sel.Environments != nil {
			in.Selector.Environments = *sel.Environments
		}
	}
	return in
}

// FlowSpecOf is f as a spec.
func FlowSpecOf(f flow.Flow) FlowSpec {
	return FlowSpec{Description: f.Description, Version: f.Version, TriggerEnvironment: f.TriggerEnvironment,
		Steps: f.Steps, Hooks: f.Hooks, Timeout: f.TimeoutMinutes}
}

// Input is what the flow service needs to create or update the flow name.
func (s FlowSpec) Input(name string) flow.Input {
	return flow.Input{Name: name, Description: s.Description, Version: s.Version,
		TriggerEnvironment: s.TriggerEnvironment, Steps: s.Steps, Hooks: s.Hooks, TimeoutMinutes: s.Timeout}
}

// FreezeWindowSpec is a freeze window: a recurring one sets schedule (5-field cron, read in
// timeZone) and duration; a fixed one sets start and end ("2026-12-24T00:00", in timeZone).
type FreezeWindowSpec struct {
	Schedule     string                      `json:"schedule,omitempty"`
	Duration     string                      `json:"duration,omitempty"`
	Start        string                      `json:"start,omitempty"`
	End          string                      `json:"end,omitempty"`
	TimeZone     string                      `json:"timeZone"`
	Environments *policy.EnvironmentSelector `json:"environments,omitempty"`
	Product      string                      `json:"product,omitempty"`
	Reason       string                      `json:"reason"`
}

// FreezeWindowSpecOf is w as a spec.
func FreezeWindowSpecOf(w freeze.Window) FreezeWindowSpec {
	in := freeze.InputOf(w)
	s := FreezeWindowSpec{Schedule: in.Schedule, Duration: in.Duration, Start: in.Start, End: in.End,
		TimeZone: in.TimeZone, Product: in.Product, Reason: in.Reason}
	if es := in.Environments; len(es.Names)+len(es.Kinds)+len(es.Tags) > 0 {
		s.Environments = &es
	}
	return s
}

// Input is the window the spec describes, called name.
func (s FreezeWindowSpec) Input(name string) freeze.Input {
	in := freeze.Input{Name: name, Schedule: s.Schedule, Duration: s.Duration, Start: s.Start, End: s.End,
		TimeZone: s.TimeZone, Product: s.Product, Reason: s.Reason}
	if s.Environments != nil {
		in.Environments = *s.Environments
	}
	return in
}
