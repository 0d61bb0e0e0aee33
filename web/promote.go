package web

import (
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/a-h/templ"

	"ladder/internal/application"
	"ladder/internal/audit"
	"ladder/internal/environment"
	"ladder/internal/fault"
	"ladder/internal/policy"
	"ladder/internal/product"
	"ladder/internal/release"
	"ladder/internal/runner"
	"ladder/internal/user"
	"ladder/internal/workflow"
	"ladder/views"
)

// promotions is what the promote and trigger dialogs need.
type promotions struct {
	plan      *runner.Planner
	run       *runner.Runner
	users     *user.Service
	envs      *environment.Service
	products  *product.Service
	apps      *application.Service
	policies  *policy.Service
	workflows *workflow.Service
}

// showPromote renders the promote dialog: settings pre-filled from the policies and the diff
// the promotion would commit, before anything is confirmed.
func showPromote(p promotions) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		f, _, err := p.form(r)
		if err != nil {
			return err
		}
		return dialog(w, r, http.StatusOK, "Promote "+f.Product, views.PromoteDialog(f))
	}
}

// promote starts the promotion the dialog describes.
func promote(p promotions) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		f, spec, err := p.form(r)
		if err != nil {
			return err
		}
		if len(f.Errors) > 0 {
			return dialog(w, r, http.StatusUnprocessableEntity, "Promote "+f.Product, views.PromoteDialog(f))
		}
		err = mayPromote(r, p.users, p.envs, spec)
		var rel release.Release
		if err == nil {
			rel, err = p.run.Start(r.Context(), spec)
		}
		if errors.Is(err, fault.ErrConflict) {
			f.Errors = fault.FieldErrors{"_": err.Error()}
			return dialog(w, r, http.StatusUnprocessableEntity, "Promote "+f.Product, views.PromoteDialog(f))
		}
		if err != nil {
			return err
		}
		return redirect(w, r, "/releases/"+rel.ID)
	}
}

// form reads the dialog's fields and works out everything it shows. Problems with the
// request are returned in the form's Errors; err is for everything else.
func (p promotions) form(r *http.Request) (views.PromoteForm, release.Spec, error) {
	ctx := r.Context()
	f := views.PromoteForm{Product: r.FormValue("product"), From: r.FormValue("from"), To: r.FormValue("to"),
		PreAction: r.FormValue("preAction"), Action: r.FormValue("action"), PostAction: r.FormValue("postAction"),
		Errors: fault.FieldErrors{}}
	prod, err := p.products.Get(ctx, f.Product)
	if err != nil {
		return f, release.Spec{}, err
	}
	target, err := p.envs.Get(ctx, f.To)
	if err != nil {
		return f, release.Spec{}, err
	}
	if err := mayPromoteTo(r, p.users, target); err != nil {
		return f, release.Spec{}, err
	}
	if f.Sources, err = p.sources(r, prod.Name, target.Name); err != nil {
		return f, release.Spec{}, err
	}
	if !slices.Contains(f.Sources, f.From) && len(f.Sources) > 0 {
		f.From = f.Sources[0]
	}
	res, err := p.policies.Evaluate(ctx, policy.Product{Name: prod.Name, Tags: prod.Tags},
		policy.Environment{Name: target.Name, Kind: target.Kind, Tags: target.Tags}, policy.Settings{})
	if err != nil {
		return f, release.Spec{}, err
	}
	f.Resolved = [3]views.Resolved{{Value: res.PreAction.Value, Origin: res.PreAction.Origin},
		{Value: res.Action.Value, Origin: res.Action.Origin}, {Value: res.PostAction.Value, Origin: res.PostAction.Origin}}
	wfs, err := p.workflows.List(ctx)
	if err != nil {
		return f, release.Spec{}, err
	}
	for _, wf := range wfs {
		f.Workflows = append(f.Workflows, wf.Name)
	}
	for field, v := range map[string]string{"preAction": f.PreAction, "postAction": f.PostAction} {
		if v != "" && v != "-" && !slices.Contains(f.Workflows, v) {
			f.Errors.Add(field, "choose one of the workflows")
		}
	}
	if f.From == "" {
		f.Errors.Add("from", "no other environment has an application of "+prod.Name)
		f.PreviewNote = "Nothing to preview without a source environment."
		return f, release.Spec{}, nil
	}
	spec, err := p.plan.PromotionSpec(ctx, runner.PromotionRequest{Product: prod.Name, From: f.From, To: f.To,
		Action: f.Action, Initiator: audit.Actor(ctx)})
	if fe, ok := fault.Fields(err); ok {
		for k, v := range fe {
			f.Errors.Add(k, v)
		}
		f.PreviewNote = "Nothing to preview: " + fe.Error()
		return f, spec, nil
	}
	if err != nil {
		return f, spec, err
	}
	override(&spec, f.PreAction, f.PostAction)
	p.preview(r, spec, &f)
	return f, spec, nil
}

// preview fills in the diff of every target application; a repository that cannot be read is
// said in words instead.
func (p promotions) preview(r *http.Request, spec release.Spec, f *views.PromoteForm) {
	diffs, err := p.plan.Preview(r.Context(), spec)
	if err != nil {
		f.PreviewNote = "Could not preview the change: " + err.Error()
		return
	}
	for _, d := range diffs {
		f.Diffs = append(f.Diffs, views.PreviewDiff{Environment: d.Environment, Application: d.Application, Diff: d.Diff})
	}
}

// override applies the dialog's choice of workflows over the policies': "" keeps the policies'
// choice, "-" runs none.
func override(spec *release.Spec, pre, post string) {
	for i := range spec.Environments {
		e := &spec.Environments[i]
		if e.IsTrigger {
			continue
		}
		for _, o := range []struct {
			choice string
			set    *release.Setting
		}{{pre, &e.Settings.PreAction}, {post, &e.Settings.PostAction}} {
			if o.choice != "" {
				*o.set = release.Setting{Value: strings.TrimPrefix(o.choice, "-"), Origin: "request"}
			}
		}
	}
}

// sources lists the environments, in position order, where prod has an application, but to.
func (p promotions) sources(r *http.Request, prod, to string) ([]string, error) {
	envs, err := p.envs.List(r.Context())
	if err != nil {
		return nil, err
	}
	apps, err := p.apps.ListByProduct(r.Context(), prod)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range envs {
		has := slices.ContainsFunc(apps, func(a application.Application) bool { return a.Environment == e.Name })
		if has && e.Name != to {
			out = append(out, e.Name)
		}
	}
	return out, nil
}

// dialog answers an htmx request with the dialog alone, anything else with a page around it.
func dialog(w http.ResponseWriter, r *http.Request, status int, title string, c templ.Component) error {
	if r.Header.Get("HX-Request") == "true" {
		return render(w, r, status, c)
	}
	return render(w, r, status, views.PromotionPage(layout(r, title, "dashboard"), c))
}

// showTrigger renders the trigger-flow dialog with the product's flows.
func showTrigger(p promotions) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		f, err := p.triggerForm(r)
		if err != nil {
			return err
		}
		return dialog(w, r, http.StatusOK, "Trigger a flow", views.TriggerDialog(f))
	}
}

// triggerFlow runs the chosen flow for the product.
func triggerFlow(p promotions) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		f, err := p.triggerForm(r)
		if err != nil {
			return err
		}
		id, err := p.startFlow(r, f)
		if fe, ok := fault.Fields(err); ok {
			f.Errors = fe
		} else if errors.Is(err, fault.ErrForbidden) || errors.Is(err, fault.ErrConflict) || errors.Is(err, fault.ErrNotFound) {
			f.Errors = fault.FieldErrors{"_": err.Error()}
		} else if err != nil {
			return err
		}
		if len(f.Errors) > 0 {
			return dialog(w, r, http.StatusUnprocessableEntity, "Trigger a flow", views.TriggerDialog(f))
		}
		return redirect(w, r, "/releases/"+id)
	}
}

func (p promotions) startFlow(r *http.Request, f views.TriggerForm) (string, error) {
	if !slices.Contains(f.Flows, f.Flow) {
		return "", fault.FieldErrors{"flow": "choose one of the product's flows"}
	}
	spec, err := p.plan.FlowSpec(r.Context(), runner.FlowRequest{Product: f.Product, Flow: f.Flow, Commit: f.Commit, Initiator: audit.Actor(r.Context())})
	if err != nil {
		return "", err
	}
	if err := mayPromote(r, p.users, p.envs, spec); err != nil {
		return "", err
	}
	rel, err := p.run.Start(r.Context(), spec)
	return rel.ID, err
}

func (p promotions) triggerForm(r *http.Request) (views.TriggerForm, error) {
	f := views.TriggerForm{Product: r.FormValue("product"), Flow: r.FormValue("flow"), Commit: strings.TrimSpace(r.FormValue("commit"))}
	prod, err := p.products.Get(r.Context(), f.Product)
	if err != nil {
		return f, err
	}
	for _, fl := range prod.Flows {
		f.Flows = append(f.Flows, fl.Flow)
	}
	if f.Flow == "" && len(f.Flows) == 1 {
		f.Flow = f.Flows[0]
	}
	return f, nil
}
