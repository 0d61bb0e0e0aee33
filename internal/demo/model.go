package demo

import (
	"context"
	"errors"

	"ladder/internal/application"
	"ladder/internal/environment"
	"ladder/internal/fault"
	"ladder/internal/flow"
	"ladder/internal/policy"
	"ladder/internal/product"
	"ladder/internal/workflow"
)

// Names of the demo's workflows and policies.
const (
	SmokeWorkflow    = "smoke-test"
	ApprovalWorkflow = "production-approval"
	CommitPolicy     = "commit-and-smoke-test"
	ApprovalPolicy   = "approve-production"
)

// SoakTime is how long the smoke test lets a new version soak in each environment.
const SoakTime = "3s"

// ensure creates an entity unless get finds it: the one rule that makes seeding idempotent.
func ensure(ctx context.Context, get func(context.Context) error, create func(context.Context) error) error {
	err := get(ctx)
	if errors.Is(err, fault.ErrNotFound) {
		return create(ctx)
	}
	return err
}

func (d *Demo) seedEnvironments(ctx context.Context, s Services) error {
	for _, e := range environments {
		err := ensure(ctx, func(ctx context.Context) error { _, err := s.Environments.Get(ctx, e.name); return err },
			func(ctx context.Context) error {
				_, err := s.Environments.Create(ctx, environment.Input{Name: e.name, Kind: e.kind,
					Description: e.description, Tags: []string{"demo"}})
				return err
			})
		if err != nil {
			return err
		}
	}
	return nil
}

// smokeTest is the demo's post-action: Ladder's own demo endpoint must answer 200, then the
// new version soaks for a few seconds.
func (d *Demo) smokeTest() workflow.Input {
	return workflow.Input{Name: SmokeWorkflow, Timeout: "5m",
		Description: "Checks the shop answers, then lets the new version soak. (The demo checks Ladder's own /demo/healthz.)",
		Steps: []workflow.Step{
			{Name: "healthz", Kind: workflow.KindHTTP, HTTP: &workflow.HTTPStep{Method: "GET", URL: d.checkURL,
				ExpectStatus: "200", BodyContains: "ok", Retries: 5, Interval: "1s"}},
			{Name: "soak", Kind: workflow.KindWait, Wait: &workflow.WaitStep{Duration: SoakTime}},
		}}
}

func (d *Demo) seedWorkflows(ctx context.Context, s Services) error {
	smoke := d.smokeTest()
	err := ensure(ctx, func(ctx context.Context) error {
		w, err := s.Workflows.Get(ctx, SmokeWorkflow)
		if err == nil && len(w.Steps) > 0 && w.Steps[0].HTTP != nil && w.Steps[0].HTTP.URL != d.checkURL {
			// Ladder listens on another address than when the demo was seeded.
			in := workflow.InputOf(w)
			in.Steps[0].HTTP.URL = d.checkURL
			_, err = s.Workflows.Update(ctx, SmokeWorkflow, in)
		}
		return err
	}, func(ctx context.Context) error { _, err := s.Workflows.Create(ctx, smoke); return err })
	if err != nil {
		return err
	}
	approval := workflow.Input{Name: ApprovalWorkflow, Timeout: "24h",
		Description: "One person approves before a version reaches production.",
		Steps: []workflow.Step{{Name: "approve", Kind: workflow.KindApproval,
			// The demo has one user, who may approve releases they started themselves.
			Approval: &workflow.ApprovalStep{Required: 1, AllowSelfApproval: true}}}}
	return ensure(ctx, func(ctx context.Context) error { _, err := s.Workflows.Get(ctx, ApprovalWorkflow); return err },
		func(ctx context.Context) error { _, err := s.Workflows.Create(ctx, approval); return err })
}

func (d *Demo) seedPolicies(ctx context.Context, s Services) error {
	policies := []policy.Input{
		{Name: CommitPolicy, Priority: 0,
			Settings: policy.Settings{Action: policy.ActionCommit, PostAction: SmokeWorkflow}},
		{Name: ApprovalPolicy, Priority: 10,
			Selector: policy.Selector{Environments: policy.EnvironmentSelector{Kinds: []string{environment.KindProduction}}},
			Settings: policy.Settings{PreAction: ApprovalWorkflow}},
	}
	for _, p := range policies {
		err := ensure(ctx, func(ctx context.Context) error { _, err := s.Policies.Get(ctx, p.Name); return err },
			func(ctx context.Context) error { _, err := s.Policies.Create(ctx, p); return err })
		if err != nil {
			return err
		}
	}
	return nil
}

func (d *Demo) seedFlow(ctx context.Context, s Services) error {
	in := flow.Input{Name: Flow, TriggerEnvironment: "dev", Version: "v1",
		Description: "Every change in dev goes to staging, then to both production regions at once.",
		Steps: []flow.Step{
			{Environment: "staging", DependsOn: []string{"dev"}},
			{Environment: "prod-eu", DependsOn: []string{"staging"}},
			{Environment: "prod-us", DependsOn: []string{"staging"}},
		}}
	return ensure(ctx, func(ctx context.Context) error { _, err := s.Flows.Get(ctx, Flow); return err },
		func(ctx context.Context) error { _, err := s.Flows.Create(ctx, in); return err })
}

func (d *Demo) seedProduct(ctx context.Context, s Services) error {
	in := product.Input{Name: Product, Tags: []string{"demo", "team-shop"},
		Description: "The demo web shop: a Helm chart per environment, its version set by CI in dev.",
		Template: product.Template{
			VersionSource: product.VersionSource{File: "Chart.yaml", JSONPath: "$.appVersion"},
			Promotion: []product.Entry{
				{File: "Chart.yaml", JSONPaths: []string{"$.appVersion"}},
				{File: "values.yaml", JSONPaths: []string{"$.image.tag"}},
			}},
		Flows: []product.FlowRef{{Flow: Flow, TriggerSelectors: []product.Selector{
			{Key: product.KeyBranch, Operator: product.OperatorIn, Values: []string{"main"}}}}},
		Concurrency: product.ConcurrencyQueue, QueueLimit: product.DefaultQueueLimit}
	return ensure(ctx, func(ctx context.Context) error { _, err := s.Products.Get(ctx, Product); return err },
		func(ctx context.Context) error { _, err := s.Products.Create(ctx, in); return err })
}

func (d *Demo) seedApplications(ctx context.Context, s Services) error {
	for _, r := range d.Repos() {
		name := Product + "-" + r.Environment
		in := application.Input{Name: name, Environment: r.Environment, Product: Product,
			RepoURL: r.URL, Branch: "main", Path: "."}
		err := ensure(ctx, func(ctx context.Context) error { _, err := s.Applications.Get(ctx, r.Environment, name); return err },
			func(ctx context.Context) error { _, err := s.Applications.Create(ctx, in); return err })
		if err != nil {
			return err
		}
	}
	return nil
}
