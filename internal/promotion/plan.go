package promotion

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"ladder/internal/application"
	"ladder/internal/credential"
	"ladder/internal/environment"
	"ladder/internal/fault"
	"ladder/internal/flow"
	"ladder/internal/freeze"
	"ladder/internal/gitops"
	"ladder/internal/policy"
	"ladder/internal/product"
	"ladder/internal/release"
	"ladder/internal/workflow"
)

// Planner turns the model into release specs: it resolves a product's flow or a single
// promotion into environments, applications and settings, and reads the values to promote
// once, from the source application at the trigger commit.
type Planner struct {
	Products     *product.Service
	Applications *application.Service
	Flows        *flow.Service
	Policies     *policy.Service
	Environments *environment.Service
	Credentials  *credential.Service
	Git          *gitops.Store
	Workflows    *workflow.Service // checks the workflows a request names
	Windows      *freeze.Service   // scheduled freezes, beside each environment's manual one
}

// FlowRequest asks to run a product through one of its flows.
type FlowRequest struct {
	Product   string
	Flow      string
	Commit    string // the trigger commit; empty: the head of the source application's branch
	SourceApp string // the trigger environment's application to read from; empty: its first
	Initiator string
}

// PromotionRequest asks to promote a product from one environment to another.
type PromotionRequest struct {
	Product   string
	From, To  string
	Action    string // overrides the resolved action when set
	SourceApp string
	Initiator string
}

// FlowSpec resolves req into a release spec.
func (p *Planner) FlowSpec(ctx context.Context, req FlowRequest) (release.Spec, error) {
	prod, err := p.Products.Get(ctx, req.Product)
	if err != nil {
		return release.Spec{}, err
	}
	f, err := p.Flows.Get(ctx, req.Flow)
	if err != nil {
		return release.Spec{}, err
	}
	steps, err := p.Flows.Evaluate(ctx, f.Name, policy.Product{Name: prod.Name, Tags: prod.Tags})
	if err != nil {
		return release.Spec{}, err
	}
	apps, err := p.appsByEnvironment(ctx, prod.Name)
	if err != nil {
		return release.Spec{}, err
	}
	spec := release.Spec{Product: prod.Name, Flow: f.Name, TriggerEnv: f.TriggerEnvironment,
		Initiator: req.Initiator, Timeout: f.Timeout()}
	if spec.Timeout <= 0 {
		spec.Timeout = time.Duration(flow.DefaultTimeoutMinutes) * time.Minute
	}
	spec.Environments = append(spec.Environments, release.EnvironmentSpec{Name: f.TriggerEnvironment, IsTrigger: true})
	for i, st := range steps {
		if len(st.Errors) > 0 {
			return release.Spec{}, &StepProblem{Product: prod.Name, Flow: f.Name, Environment: st.Environment, Problems: st.Errors}
		}
		if len(apps[st.Environment]) == 0 {
			// The same problem Problems reports, so the trigger and the dialogs can link the fix.
			return release.Spec{}, &StepProblem{Product: prod.Name, Flow: f.Name, Environment: st.Environment, NoApplication: true,
				Problems: []string{fmt.Sprintf("product %s has no application in environment %s", prod.Name, st.Environment)}}
		}
		targets, err := targetsIn(apps, prod.Name, st.Environment)
		if err != nil {
			return release.Spec{}, err
		}
		spec.Environments = append(spec.Environments, release.EnvironmentSpec{Name: st.Environment,
			Kind: environmentKind(st.Production), DependsOn: f.Steps[i].DependsOn, Settings: settingsOf(st.Resolution),
			Soak:  release.Soak{After: f.Steps[i].SoakOf().Length(), Health: f.Steps[i].SoakOf().Health},
			Hooks: release.EnvironmentHooks{Pre: st.Hooks.Pre, Post: st.Hooks.Post, OnFail: st.Hooks.OnFail}, Applications: targets})
	}
	if err := p.readSource(ctx, prod, apps, f.TriggerEnvironment, req.SourceApp, req.Commit, &spec); err != nil {
		return release.Spec{}, err
	}
	if spec.Environments[0], err = p.triggerEnvironment(ctx, prod, apps, spec); err != nil {
		return release.Spec{}, err
	}
	spec.Plan.Hooks = release.Hooks{OnStart: f.Hooks.OnStart, OnSuccess: f.Hooks.OnSuccess, OnFail: f.Hooks.OnFail}
	return spec, nil
}

// environmentKind names an environment's kind as the model does.
func environmentKind(production bool) string {
	if production {
		return environment.KindProduction
	}
	return environment.KindNonProduction
}

// PromotionSpec resolves a single promotion into a release spec (shown as flow "Manual").
func (p *Planner) PromotionSpec(ctx context.Context, req PromotionRequest) (release.Spec, error) {
	fe := fault.FieldErrors{}
	if req.From == req.To {
		fe.Add("to", "must differ from the source environment")
	}
	if req.Action != "" && req.Action != release.ActionCommit && req.Action != release.ActionPullRequest && req.Action != release.ActionNone {
		fe.Add("action", "must be commit, pull-request or none")
	}
	if len(fe) > 0 {
		return release.Spec{}, fe
	}
	m, err := p.manualStep(ctx, req.Product, req.To, policy.Settings{Action: req.Action}, "action")
	if err != nil {
		return release.Spec{}, err
	}
	settings := settingsOf(m.res)
	if req.Action != "" {
		settings.Action.Origin = OriginRequest
	}
	spec := release.Spec{Product: m.prod.Name, TriggerEnv: req.From, Initiator: req.Initiator,
		Timeout: time.Duration(flow.DefaultTimeoutMinutes) * time.Minute,
		Environments: []release.EnvironmentSpec{{Name: req.From, IsTrigger: true},
			{Name: m.env.Name, Kind: m.env.Kind, DependsOn: []string{req.From}, Settings: settings, Applications: m.targets}}}
	if err := p.readSource(ctx, m.prod, m.apps, req.From, req.SourceApp, "", &spec); err != nil {
		return release.Spec{}, err
	}
	if spec.Environments[0], err = p.triggerEnvironment(ctx, m.prod, m.apps, spec); err != nil {
		return release.Spec{}, err
	}
	return spec, nil
}

// OriginTrigger is the origin of the trigger environment's pre-action and action: the change
// is already in Git there, so no pre-action runs and the action is none.
const OriginTrigger = "trigger environment"

// triggerEnvironment is the trigger environment of spec, whose source application is read:
// that application is verified and gets the post-action the policies decide for the
// environment; the change is already in Git there, so no pre-action runs and the action is
// none.
func (p *Planner) triggerEnvironment(ctx context.Context, prod product.Product, apps map[string][]application.Application, spec release.Spec) (release.EnvironmentSpec, error) {
	env, err := p.Environments.Get(ctx, spec.TriggerEnv)
	if err != nil {
		return release.EnvironmentSpec{}, err
	}
	res, err := p.Policies.Evaluate(ctx, policy.Product{Name: prod.Name, Tags: prod.Tags},
		policy.Environment{Name: env.Name, Kind: env.Kind, Tags: env.Tags}, policy.Settings{Action: release.ActionNone})
	if err != nil {
		return release.EnvironmentSpec{}, err
	}
	out := release.EnvironmentSpec{Name: env.Name, Kind: env.Kind, IsTrigger: true, Settings: release.Settings{
		PreAction:  release.Setting{Origin: OriginTrigger},
		Action:     release.Setting{Value: release.ActionNone, Origin: OriginTrigger},
		PostAction: release.Setting{Value: res.PostAction.Value, Origin: res.PostAction.Origin},
	}}
	for _, a := range apps[env.Name] {
		if a.Name == spec.SourceApp {
			out.Applications = append(out.Applications, target(a))
		}
	}
	return out, nil
}

// manualStep is the one environment a single promotion or a roll back goes to, outside any
// flow.
type manualStep struct {
	prod    product.Product
	env     environment.Environment
	res     policy.Resolution
	apps    map[string][]application.Application // the product's, by environment
	targets []release.Target                     // its applications in env
}

// manualStep resolves promoting productName to env: the policies, given the asked settings
// (their errors are reported on field), and the applications there.
func (p *Planner) manualStep(ctx context.Context, productName, env string, asked policy.Settings, field string) (manualStep, error) {
	var m manualStep
	var err error
	if m.prod, err = p.Products.Get(ctx, productName); err != nil {
		return m, err
	}
	if m.env, err = p.Environments.Get(ctx, env); err != nil {
		return m, err
	}
	m.res, err = p.Policies.Evaluate(ctx, policy.Product{Name: m.prod.Name, Tags: m.prod.Tags},
		policy.Environment{Name: m.env.Name, Kind: m.env.Kind, Tags: m.env.Tags}, asked)
	if err != nil {
		return m, err
	}
	if len(m.res.Errors) > 0 {
		return m, fault.FieldErrors{field: strings.Join(m.res.Errors, "; ")}
	}
	if m.apps, err = p.appsByEnvironment(ctx, m.prod.Name); err != nil {
		return m, err
	}
	m.targets, err = targetsIn(m.apps, m.prod.Name, m.env.Name)
	return m, err
}

// readSource reads the version and values from the source application at the trigger commit
// into spec.
func (p *Planner) readSource(ctx context.Context, prod product.Product, apps map[string][]application.Application, env, name, commit string, spec *release.Spec) error {
	var src *application.Application
	for i, a := range apps[env] {
		if name == "" || a.Name == name {
			src = &apps[env][i]
			break
		}
	}
	if src == nil {
		return fault.FieldErrors{"product": fmt.Sprintf("product %s has no application %sin environment %s to promote from", prod.Name, optional(name), env)}
	}
	remote, err := p.Credentials.Remote(ctx, src.RepoURL)
	if err != nil {
		return err
	}
	tmpl := prod.Template.Gitops()
	values, sha, err := p.Git.ReadSource(ctx, remote, src.Branch, src.Path, commit, tmpl)
	if commit != "" && errors.Is(err, plumbing.ErrObjectNotFound) {
		return fault.FieldErrors{"commit": fmt.Sprintf("%s holds no commit %s", src.Key(), commit)}
	}
	if err != nil {
		return fmt.Errorf("read %s from %s: %w", prod.Name, src.Key(), err)
	}
	version := ""
	if tmpl.VersionSource.File != "" {
		if version, err = p.Git.ReadVersion(ctx, remote, src.Branch, src.Path, sha, tmpl.VersionSource); err != nil {
			return fmt.Errorf("read the version of %s from %s: %w", prod.Name, src.Key(), err)
		}
	}
	spec.Version, spec.SourceApp = version, src.Name
	spec.Trigger = release.Commit{SHA: sha, Branch: src.Branch}
	spec.Plan = release.Plan{Template: tmpl, Values: values, Source: release.Target{Environment: env,
		Name: src.Name, RepoURL: src.RepoURL, Branch: src.Branch, Path: src.Path}}
	return nil
}

func (p *Planner) appsByEnvironment(ctx context.Context, prod string) (map[string][]application.Application, error) {
	list, err := p.Applications.ListByProduct(ctx, prod)
	if err != nil {
		return nil, err
	}
	by := map[string][]application.Application{}
	for _, a := range list {
		by[a.Environment] = append(by[a.Environment], a)
	}
	return by, nil
}

func targetsIn(apps map[string][]application.Application, prod, env string) ([]release.Target, error) {
	if len(apps[env]) == 0 {
		return nil, fault.FieldErrors{"to": fmt.Sprintf("product %s has no application in environment %s", prod, env)}
	}
	var out []release.Target
	for _, a := range apps[env] {
		out = append(out, target(a))
	}
	return out, nil
}

// target is application a as a release reads or writes it.
func target(a application.Application) release.Target {
	return release.Target{Environment: a.Environment, Name: a.Name, RepoURL: a.RepoURL, Branch: a.Branch, Path: a.Path,
		ArgocdServer: a.ArgocdServer, ArgocdApp: a.ArgocdApp, HealthURL: a.HealthURL}
}

func settingsOf(r policy.Resolution) release.Settings {
	return release.Settings{
		PreAction:  release.Setting{Value: r.PreAction.Value, Origin: r.PreAction.Origin},
		Action:     release.Setting{Value: r.Action.Value, Origin: r.Action.Origin},
		PostAction: release.Setting{Value: r.PostAction.Value, Origin: r.PostAction.Origin},
	}
}

func optional(name string) string {
	if name == "" {
		return ""
	}
	return name + " "
}
