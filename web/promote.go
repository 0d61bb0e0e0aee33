package web

import (
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/a-h/templ"

	"ladder/internal/application"
	"ladder/internal/environment"
	"ladder/internal/fault"
	"ladder/internal/policy"
	"ladder/internal/product"
	"ladder/internal/promotion"
	"ladder/internal/release"
	"ladder/internal/workflow"
	"ladder/views"
)

// promotions is what the promote and trigger dialogs need.
type promotions struct {
	svc       *promotion.Service
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
		f, err := p.form(r)
		if err != nil {
			return err
		}
		return dialog(w, r, http.StatusOK, "Promote "+f.Product, views.PromoteDialog(f))
	}
}

// promote starts the promotion the dialog describes; a request that cannot start comes back
// in the dialog with its errors.
func promote(p promotions) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		rel, err := p.svc.Start(r.Context(), actor(r), promoteRequest(r))
		fe, isFields := fault.Fields(err)
		switch {
		case err == nil:
			return redirect(w, r, "/releases/"+rel.ID)
		case !isFields && !errors.Is(err, fault.ErrConflict):
			return err
		case !isFields:
			fe = fault.FieldErrors{"_": err.Error()}
		}
		f, ferr := p.form(r)
		if ferr != nil {
			return ferr
		}
		for k, v := range fe {
			f.Errors.Add(k, v)
		}
		return dialog(w, r, http.StatusUnprocessableEntity, "Promote "+f.Product, views.PromoteDialog(f))
	}
}

// promoteRequest reads the dialog's fields as a single promotion request.
func promoteRequest(r *http.Request) promotion.Request {
	return promotion.Request{Product: r.FormValue("product"), Single: true, From: r.FormValue("from"), To: r.FormValue("to"),
		PreAction: r.FormValue("preAction"), Action: r.FormValue("action"), PostAction: r.FormValue("postAction"),
		Reason: strings.TrimSpace(r.FormValue("reason")), ConfirmPins: r.FormValue("confirmPin") == "true"}
}

// pinConfirm names the pins in the environments req promotes into, for the dialogs' checkbox.
func (p promotions) pinConfirm(r *http.Request, req promotion.Request) (views.PinConfirm, error) {
	pins, err := p.svc.PinsFor(r.Context(), req)
	return views.PinConfirm{Notice: promotion.PinNotice(pins), Confirmed: req.ConfirmPins}, err
}

// form reads the dialog's fields and works out everything it shows. Problems with the
// request are returned in the form's Errors; err is for everything else.
func (p promotions) form(r *http.Request) (views.PromoteForm, error) {
	ctx := r.Context()
	req := promoteRequest(r)
	f := views.PromoteForm{Product: req.Product, From: req.From, To: req.To, PreAction: req.PreAction,
		Action: req.Action, PostAction: req.PostAction, Reason: req.Reason, Errors: fault.FieldErrors{}}
	prod, err := p.products.Get(ctx, f.Product)
	if err != nil {
		return f, err
	}
	target, err := p.envs.Get(ctx, f.To)
	if err != nil {
		return f, err
	}
	if err := p.svc.MayPromoteTo(ctx, actor(r), prod.Name, target.Name); err != nil {
		return f, err
	}
	if f.Sources, err = p.sources(r, prod.Name, target.Name); err != nil {
		return f, err
	}
	if !slices.Contains(f.Sources, f.From) && len(f.Sources) > 0 {
		f.From = f.Sources[0]
	}
	res, err := p.policies.Evaluate(ctx, policy.Product{Name: prod.Name, Tags: prod.Tags},
		policy.Environment{Name: target.Name, Kind: target.Kind, Tags: target.Tags}, policy.Settings{})
	if err != nil {
		return f, err
	}
	f.Resolved = [3]views.Resolved{{Value: res.PreAction.Value, Origin: res.PreAction.Origin},
		{Value: res.Action.Value, Origin: res.Action.Origin}, {Value: res.PostAction.Value, Origin: res.PostAction.Origin}}
	locks, err := p.svc.Locks(ctx, actor(r), prod.Name, target.Name)
	if err != nil {
		return f, err
	}
	for _, l := range locks {
		i := map[string]int{"preAction": 0, "action": 1, "postAction": 2}[l.Field]
		f.Locks[i] = views.Lock{Policy: l.Policy, Value: l.Value, Note: l.Note(), Tighten: l.Tighten, MayLift: l.MayLift}
	}
	wfs, err := p.workflows.List(ctx)
	if err != nil {
		return f, err
	}
	for _, wf := range wfs {
		f.Workflows = append(f.Workflows, wf.Name)
	}
	if f.Pins, err = p.pinConfirm(r, req); err != nil {
		return f, err
	}
	if f.From == "" {
		f.Errors.Add("from", "no other environment has an application of "+prod.Name)
		f.PreviewNote = "Nothing to preview without a source environment."
		return f, nil
	}
	req.From = f.From
	spec, err := p.svc.Plan(ctx, actor(r), req)
	if fe, ok := fault.Fields(err); ok {
		for k, v := range fe {
			f.Errors.Add(k, v)
		}
		f.PreviewNote = "Nothing to preview: " + fe.Error()
		return f, nil
	}
	if err != nil {
		return f, err
	}
	p.preview(r, spec, &f)
	return f, nil
}

// preview fills in the diff of every target application; a repository that cannot be read is
// said in words instead.
func (p promotions) preview(r *http.Request, spec release.Spec, f *views.PromoteForm) {
	diffs, err := p.svc.Planner().Preview(r.Context(), spec)
	if err != nil {
		f.PreviewNote = "Could not preview the change: " + err.Error()
		return
	}
	for _, d := range diffs {
		f.Diffs = append(f.Diffs, views.PreviewDiff{Environment: d.Environment, Application: d.Application, Diff: d.Diff})
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
		var sp *promotion.StepProblem
		switch fe, isFields := fault.Fields(err); {
		case isFields:
			f.Errors = fe
		case errors.As(err, &sp):
			url, label := sp.Fix()
			f.Refusal = &views.Refusal{Reason: sp.Sentence(), FixURL: url, FixLabel: label}
		case errors.Is(err, fault.ErrConflict):
			f.Refusal = &views.Refusal{Reason: fault.Reason(err), FixURL: "/products/" + f.Product,
				FixLabel: "Check the settings of " + f.Product}
		case errors.Is(err, fault.ErrForbidden) || errors.Is(err, fault.ErrNotFound):
			f.Errors = fault.FieldErrors{"_": err.Error()}
		case err != nil:
			return err
		}
		if len(f.Errors) > 0 || f.Refusal != nil {
			return dialog(w, r, http.StatusUnprocessableEntity, "Trigger a flow", views.TriggerDialog(f))
		}
		return redirect(w, r, "/releases/"+id)
	}
}

// planFlow renders the trigger-flow dialog with a dry run of the chosen flow: what the
// release would do, with nothing written.
func planFlow(p promotions) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		f, err := p.triggerForm(r)
		if err != nil {
			return err
		}
		var plan promotion.DryRun
		req, err := flowRequest(f, false)
		if err == nil {
			plan, err = p.svc.DryRun(r.Context(), actor(r), req)
		}
		if fe, ok := fault.Fields(err); ok {
			f.Errors = fe
		} else if errors.Is(err, fault.ErrForbidden) || errors.Is(err, fault.ErrConflict) || errors.Is(err, fault.ErrNotFound) {
			f.Errors = fault.FieldErrors{"_": err.Error()}
		} else if err != nil {
			return err
		}
		if len(f.Errors) > 0 {
			return dialog(w, r, http.StatusUnprocessableEntity, "Dry run", views.TriggerDialog(f))
		}
		f.Plan = &plan
		return dialog(w, r, http.StatusOK, "Dry run of "+f.Flow, views.TriggerDialog(f))
	}
}

func (p promotions) startFlow(r *http.Request, f views.TriggerForm) (string, error) {
	req, err := flowRequest(f, f.Pins.Confirmed)
	if err != nil {
		return "", err
	}
	rel, err := p.svc.Start(r.Context(), actor(r), req)
	return rel.ID, err
}

// flowRequest is triggerRequest once the chosen flow is one of the product's.
func flowRequest(f views.TriggerForm, confirmed bool) (promotion.Request, error) {
	if !slices.Contains(f.Flows, f.Flow) {
		return promotion.Request{}, fault.FieldErrors{"flow": "choose one of the product's flows"}
	}
	return triggerRequest(f, confirmed), nil
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
	if f.Flow != "" {
		f.Pins, err = p.pinConfirm(r, triggerRequest(f, r.FormValue("confirmPin") == "true"))
	}
	return f, err
}

// triggerRequest is the flow run the trigger dialog asks for.
func triggerRequest(f views.TriggerForm, confirmed bool) promotion.Request {
	return promotion.Request{Product: f.Product, Flow: f.Flow, Commit: f.Commit, ConfirmPins: confirmed}
}
