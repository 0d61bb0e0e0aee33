package web

import (
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"

	"ladder/internal/fault"
	"ladder/internal/workflow"
	"ladder/views"
)

func listWorkflows(wfs *workflow.Service) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		list, err := wfs.List(r.Context())
		if err != nil {
			return err
		}
		return render(w, r, http.StatusOK, views.WorkflowsPage(layout(r, "Workflows", "workflows"), list))
	}
}

func newWorkflow(w http.ResponseWriter, r *http.Request) error {
	form := views.WorkflowForm{Action: "/workflows", Input: workflow.Input{
		Steps: []workflow.Step{workflow.NewStep(workflow.KindHTTP, "check")}}}
	return render(w, r, http.StatusOK, views.WorkflowPage(layout(r, "New workflow", "workflows"), form))
}

func createWorkflow(wfs *workflow.Service) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		form := views.WorkflowForm{Action: "/workflows"}
		var err error
		if form.Input, err = workflowInputFrom(r); err == nil {
			_, err = wfs.Create(r.Context(), form.Input)
		}
		if fe, ok := fault.Fields(err); ok {
			form.Errors = fe
			return render(w, r, http.StatusUnprocessableEntity, views.WorkflowFormCard(form))
		}
		if err != nil {
			return err
		}
		name := strings.TrimSpace(form.Input.Name)
		return redirectFlash(w, r, "/workflows/"+name, "Added workflow "+name)
	}
}

func showWorkflow(wfs *workflow.Service) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		wf, err := wfs.Get(r.Context(), r.PathValue("name"))
		if err != nil {
			return err
		}
		users, err := wfs.UsersOf(r.Context(), wf.Name)
		if err != nil {
			return err
		}
		form := views.WorkflowForm{Action: "/workflows/" + wf.Name, Input: workflow.InputOf(readable(r, wf)), Editing: true, Users: users}
		return render(w, r, http.StatusOK, views.WorkflowPage(layout(r, wf.Name, "workflows"), form))
	}
}

func updateWorkflow(wfs *workflow.Service) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		name := r.PathValue("name")
		form := views.WorkflowForm{Action: "/workflows/" + name, Editing: true}
		var err error
		var wf workflow.Workflow
		if form.Input, err = workflowInputFrom(r); err == nil {
			wf, err = wfs.Update(r.Context(), name, form.Input)
		}
		if fe, ok := fault.Fields(err); ok {
			form.Errors = fe
			return render(w, r, http.StatusUnprocessableEntity, views.WorkflowFormCard(form))
		}
		if err != nil {
			return err
		}
		return redirectFlash(w, r, "/workflows/"+wf.Name, "Saved workflow "+wf.Name)
	}
}

func deleteWorkflow(wfs *workflow.Service) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := wfs.Delete(r.Context(), r.PathValue("name")); err != nil {
			return err
		}
		return redirect(w, r, "/workflows")
	}
}

// editWorkflowSteps answers the editor's step buttons: it reads the steps as typed so far,
// applies the operation (add, remove, up, down, or kind to re-render after a kind change)
// and returns the re-rendered step list.
func editWorkflowSteps(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return fault.FieldErrors{"_": "the form could not be read"}
	}
	steps, _ := workflowStepsFrom(r)
	q := r.URL.Query()
	i, _ := strconv.Atoi(q.Get("i"))
	switch q.Get("op") {
	case "add":
		kind := q.Get("kind")
		if !slices.Contains(workflow.Kinds, kind) {
			return fault.FieldErrors{"kind": "is not a step kind"}
		}
		steps = append(steps, workflow.NewStep(kind, fmt.Sprintf("%s-%d", kind, len(steps)+1)))
	default:
		steps = moveItem(steps, q.Get("op"), i)
	}
	url := "/workflows/" + r.PathValue("name") + "/steps"
	return render(w, r, http.StatusOK, views.WorkflowSteps(steps, nil, url))
}

// moveItem applies a list operation of the step editors: remove, up or down item i. Other
// operations (and indexes out of range) leave the list as it is.
func moveItem[T any](list []T, op string, i int) []T {
	if i < 0 || i >= len(list) {
		return list
	}
	switch {
	case op == "remove":
		return slices.Delete(list, i, i+1)
	case op == "up" && i > 0:
		list[i-1], list[i] = list[i], list[i-1]
	case op == "down" && i < len(list)-1:
		list[i+1], list[i] = list[i], list[i+1]
	}
	return list
}

func workflowInputFrom(r *http.Request) (workflow.Input, error) {
	steps, err := workflowStepsFrom(r)
	in := workflow.Input{Name: r.FormValue("name"), Description: r.FormValue("description"),
		Timeout: r.FormValue("timeout"), Steps: steps}
	return in, err
}

// stepIndexes returns the indexes of the steps.N.kind fields posted, in order.
func stepIndexes(r *http.Request, field string) []int {
	_ = r.ParseForm()
	var idx []int
	for k := range r.PostForm {
		if rest, ok := strings.CutPrefix(k, "steps."); ok {
			if n, f, ok := strings.Cut(rest, "."); ok && f == field {
				if i, err := strconv.Atoi(n); err == nil {
					idx = append(idx, i)
				}
			}
		}
	}
	sort.Ints(idx)
	return idx
}

// workflowStepsFrom reads the posted steps. Numbers that do not parse come back as
// FieldErrors (with the steps as read, the number left at zero).
func workflowStepsFrom(r *http.Request) ([]workflow.Step, error) {
	fe := fault.FieldErrors{}
	var steps []workflow.Step
	for _, n := range stepIndexes(r, "kind") {
		get := func(f string) string { return r.PostFormValue(fmt.Sprintf("steps.%d.%s", n, f)) }
		num := func(f string) int {
			v, err := strconv.Atoi(strings.TrimSpace(get(f)))
			if err != nil && strings.TrimSpace(get(f)) != "" {
				fe.Add(fmt.Sprintf("steps.%d.%s", len(steps), f), "must be a whole number")
			}
			return v
		}
		s := workflow.Step{Name: get("name"), Kind: get("kind")}
		switch s.Kind {
		case workflow.KindHTTP:
			s.HTTP = &workflow.HTTPStep{Method: get("method"), URL: get("url"), Headers: parseHeaders(get("headers")),
				Body: get("body"), ExpectStatus: get("expectStatus"), BodyContains: get("bodyContains"),
				JSONPath: get("jsonPath"), JSONValue: get("jsonValue"), Retries: num("retries"), Interval: get("interval")}
		case workflow.KindExec:
			s.Exec = &workflow.ExecStep{Command: get("command"), Args: lines(get("args")), Env: parseParams(get("env")), Timeout: get("timeout")}
		case workflow.KindApproval:
			s.Approval = &workflow.ApprovalStep{Required: num("required"), Groups: splitList(get("groups")),
				AllowSelfApproval: get("allowSelfApproval") == "true"}
		case workflow.KindWait:
			s.Wait = &workflow.WaitStep{Duration: get("duration")}
		case workflow.KindArgo:
			s.Argo = &workflow.ArgoStep{Server: get("server"), Template: get("template"), Parameters: parseParams(get("parameters")),
				ClusterTemplate: get("clusterTemplate") == "true", Timeout: get("timeout")}
		}
		steps = append(steps, s)
	}
	return steps, fe.Err()
}

// parseParams reads an argo step's extra parameters, one per line as NAME=value.
func parseParams(s string) []workflow.Param {
	var ps []workflow.Param
	for _, l := range lines(s) {
		name, value, _ := strings.Cut(l, "=")
		ps = append(ps, workflow.Param{Name: strings.TrimSpace(name), Value: value})
	}
	return ps
}

func parseHeaders(s string) []workflow.Header {
	var hs []workflow.Header
	for _, l := range lines(s) {
		name, value, _ := strings.Cut(l, ":")
		hs = append(hs, workflow.Header{Name: strings.TrimSpace(name), Value: strings.TrimSpace(value)})
	}
	return hs
}

// lines splits s into its non-empty lines, trimmed.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// splitList splits a comma- or whitespace-separated list, dropping empty entries.
func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\t' || r == '\r' })
}

// readable returns wf as the caller may read it: the values of HTTP headers and exec
// environment variables only for admins, who edit workflows.
func readable(r *http.Request, wf workflow.Workflow) workflow.Workflow {
	if canAdmin(r) {
		return wf
	}
	return wf.Redacted()
}

// readableWorkflows lists the workflows as the caller may read them.
func readableWorkflows(r *http.Request, wfs *workflow.Service) ([]workflow.Workflow, error) {
	list, err := wfs.List(r.Context())
	for i := range list {
		list[i] = readable(r, list[i])
	}
	return list, err
}
