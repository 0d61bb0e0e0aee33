package web

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/a-h/templ"

	"ladder/internal/environment"
	"ladder/internal/fault"
	"ladder/internal/flow"
	"ladder/internal/policy"
	"ladder/internal/product"
	"ladder/internal/promotion"
	"ladder/internal/workflow"
	"ladder/views"
)

func listFlows(flows *flow.Service) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		list, err := flows.List(r.Context())
		if err != nil {
			return err
		}
		return render(w, r, http.StatusOK, views.FlowsPage(layout(r, "Flows", "flows"), list))
	}
}

func newFlow(envs *environment.Service, wfs *workflow.Service) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		ed, err := flowEditor(r.Context(), envs, wfs, "/flows", flow.Input{
			TimeoutMinutes: flow.DefaultTimeoutMinutes, Steps: []flow.Step{{}}}, false)
		if err != nil {
			return err
		}
		return render(w, r, http.StatusOK, views.NewFlowPage(layout(r, "New flow", "flows"), ed))
	}
}

func createFlow(flows *flow.Service, envs *environment.Service, wfs *workflow.Service) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		in, err := flowInputFrom(r)
		var f flow.Flow
		if err == nil {
			f, err = flows.Create(r.Context(), in)
		}
		if fe, ok := fault.Fields(err); ok {
			return renderFlowForm(w, r, envs, wfs, "/flows", in, false, fe)
		}
		if err != nil {
			return err
		}
		return redirectFlash(w, r, "/flows/"+f.Name, "Added flow "+f.Name)
	}
}

// showFlow renders the flow page: graph, Evaluate by product, editor. With a product in the
// query it is also Evaluate's answer (the whole page when asked without htmx).
func showFlow(flows *flow.Service, envs *environment.Service, wfs *workflow.Service, catalog productCatalog, check *flowCheck) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		f, err := flows.Get(r.Context(), r.PathValue("name"))
		if err != nil {
			return err
		}
		eval, err := evaluateForm(r, "/flows/"+f.Name+"/evaluate", nil, catalog, true)
		if err != nil {
			return err
		}
		return renderFlowPage(w, r, f, envs, wfs, check, eval, nil, http.StatusOK)
	}
}

func evaluateFlow(flows *flow.Service, envs *environment.Service, wfs *workflow.Service, catalog productCatalog, check *flowCheck) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		f, err := flows.Get(r.Context(), r.PathValue("name"))
		if err != nil {
			return err
		}
		form, err := evaluateForm(r, "/flows/"+f.Name+"/evaluate", nil, catalog, false)
		if err != nil {
			return err
		}
		product := evaluatedProduct(&form)
		var result templ.Component
		status := http.StatusUnprocessableEntity
		if len(form.Errors) == 0 {
			steps, err := flows.Evaluate(r.Context(), f.Name, product)
			if err != nil {
				return err
			}
			result, status = views.FlowEvaluation(steps), http.StatusOK
		}
		if r.Header.Get("HX-Request") == "true" {
			return render(w, r, status, views.EvaluateFormCard(form, result))
		}
		return renderFlowPage(w, r, f, envs, wfs, check, form, result, status)
	}
}

func updateFlow(flows *flow.Service, envs *environment.Service, wfs *workflow.Service) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		name := r.PathValue("name")
		in, err := flowInputFrom(r)
		var f flow.Flow
		if err == nil {
			f, err = flows.Update(r.Context(), name, in)
		}
		if fe, ok := fault.Fields(err); ok {
			return renderFlowForm(w, r, envs, wfs, "/flows/"+name, in, true, fe)
		}
		if err != nil {
			return err
		}
		return redirectFlash(w, r, "/flows/"+f.Name, "Saved flow "+f.Name)
	}
}

// flowCheck finds, for every product that lists a flow, the steps of the flow that could not
// run for it; the flow page warns next to those steps. Nil checks nothing.
type flowCheck struct {
	products *product.Service
	planner  *promotion.Planner
}

// problems returns the problems of flowName's steps by environment, over every product that
// lists it.
func (c *flowCheck) problems(ctx context.Context, flowName string) (map[string][]promotion.StepProblem, error) {
	if c == nil || c.planner == nil {
		return nil, nil
	}
	users, err := c.products.UsersOfFlow(ctx, flowName)
	if err != nil {
		return nil, err
	}
	out := map[string][]promotion.StepProblem{}
	for _, name := range users {
		list, err := c.planner.Problems(ctx, name, flowName)
		if err != nil {
			return nil, err
		}
		for _, sp := range list {
			out[sp.Environment] = append(out[sp.Environment], sp)
		}
	}
	return out, nil
}

func deleteFlow(flows *flow.Service) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := flows.Delete(r.Context(), r.PathValue("name")); err != nil {
			return err
		}
		return redirect(w, r, "/flows")
	}
}

// editFlowSteps answers the flow editor's step buttons (add, remove, up, down) with the
// re-rendered step list, keeping everything typed so far.
func editFlowSteps(envs *environment.Service, wfs *workflow.Service) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		in, _ := flowInputFrom(r)
		q := r.URL.Query()
		i, _ := strconv.Atoi(q.Get("i"))
		if op := q.Get("op"); op == "add" {
			in.Steps = append(in.Steps, flow.Step{})
		} else {
			in.Steps = moveItem(in.Steps, op, i)
		}
		name := r.PathValue("name")
		ed, err := flowEditor(r.Context(), envs, wfs, "/flows/"+name, in, name != "new")
		if err != nil {
			return err
		}
		return render(w, r, http.StatusOK, views.FlowSteps(ed))
	}
}

func renderFlowPage(w http.ResponseWriter, r *http.Request, f flow.Flow, envs *environment.Service, wfs *workflow.Service,
	check *flowCheck, eval views.EvaluateForm, result templ.Component, status int) error {
	ed, err := flowEditor(r.Context(), envs, wfs, "/flows/"+f.Name, flow.InputOf(f), true)
	if err != nil {
		return err
	}
	if ed.StepProblems, err = check.problems(r.Context(), f.Name); err != nil {
		return err
	}
	g := views.FlowGraph(f, ed.Environments)
	return render(w, r, status, views.FlowPage(layout(r, f.Name, "flows"), f, g, eval, result, ed))
}

// renderFlowForm answers invalid input: the editor again, with its errors, and 422.
func renderFlowForm(w http.ResponseWriter, r *http.Request, envs *environment.Service, wfs *workflow.Service,
	action string, in flow.Input, editing bool, fe fault.FieldErrors) error {
	ed, err := flowEditor(r.Context(), envs, wfs, action, in, editing)
	if err != nil {
		return err
	}
	ed.Errors = fe
	return render(w, r, http.StatusUnprocessableEntity, views.FlowFormCard(ed))
}

func flowEditor(ctx context.Context, envs *environment.Service, wfs *workflow.Service, action string, in flow.Input, editing bool) (views.FlowEditor, error) {
	list, err := envs.List(ctx)
	if err != nil {
		return views.FlowEditor{}, err
	}
	names, err := wfs.Names(ctx)
	if err != nil {
		return views.FlowEditor{}, err
	}
	return views.FlowEditor{Action: action, Input: in, Editing: editing, Environments: list, Workflows: names}, nil
}

// flowInputFrom reads the posted flow. A timeout that is not a number comes back as
// FieldErrors, with the rest read.
func flowInputFrom(r *http.Request) (flow.Input, error) {
	if err := r.ParseForm(); err != nil {
		return flow.Input{}, fault.FieldErrors{"_": "the form could not be read"}
	}
	get := r.PostFormValue
	in := flow.Input{Name: get("name"), Description: get("description"), Version: get("version"),
		TriggerEnvironment: get("triggerEnvironment"),
		Hooks:              flow.ReleaseHooks{OnStart: get("onStart"), OnSuccess: get("onSuccess"), OnFail: get("onFail")}}
	for _, n := range stepIndexes(r, "environment") {
		sget := func(f string) string { return get(fmt.Sprintf("steps.%d.%s", n, f)) }
		in.Steps = append(in.Steps, flow.Step{
			Environment: sget("environment"),
			DependsOn:   splitList(sget("dependsOn")),
			Settings:    policy.Settings{PreAction: sget("preAction"), Action: sget("action"), PostAction: sget("postAction")},
			Hooks:       flow.EnvironmentHooks{Pre: sget("preHook"), Post: sget("postHook"), OnFail: sget("onFailHook")},
			Soak:        &flow.Soak{After: sget("soak"), Health: sget("soakHealth") == "true"}, // empty: none
		})
	}
	if t := strings.TrimSpace(get("timeout")); t != "" {
		n, err := strconv.ParseInt(t, 10, 64)
		if err != nil {
			return in, fault.FieldErrors{"timeout": "must be a whole number of minutes"}
		}
		in.TimeoutMinutes = n
	}
	return in, nil
}
