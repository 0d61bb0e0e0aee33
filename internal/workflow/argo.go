package workflow

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"ladder/internal/fault"
)

// ArgoStep submits a Workflow from a WorkflowTemplate to an Argo Workflows server and follows
// it to its end. The workflow gets every parameter of the step (the promotion's parameters
// and the outputs of earlier steps) plus Parameters, whose values are templates; its output
// parameters become outputs of the step.
type ArgoStep struct {
	Server   string `json:"server" form:"server" validate:"required,dnslabel"`
	Template string `json:"template" form:"template" validate:"required,max=253"`
	// ClusterTemplate submits from the ClusterWorkflowTemplate Template instead of the
	// WorkflowTemplate of the server's namespace.
	ClusterTemplate bool    `json:"clusterTemplate,omitempty" form:"clusterTemplate"`
	Parameters      []Param `json:"parameters,omitempty" form:"parameters" validate:"-"`
	// Timeout bounds the step: past it the workflow is terminated and the step fails. Empty:
	// bounded by the workflow's timeout.
	Timeout string `json:"timeout,omitempty" form:"timeout"`
}

// Param is one extra parameter of an argo step; its value is a template.
type Param struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

var (
	k8sNamePattern   = regexp.MustCompile(`^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$`)
	argoParamPattern = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]*$`)
)

func (a *ArgoStep) normalize() {
	a.Server = strings.TrimSpace(a.Server)
	a.Template = strings.TrimSpace(a.Template)
	a.Timeout = strings.TrimSpace(a.Timeout)
	for i := range a.Parameters {
		a.Parameters[i].Name = strings.TrimSpace(a.Parameters[i].Name)
	}
}

func (a *ArgoStep) problems(check *fault.Validator) fault.FieldErrors {
	fe := check.Struct(*a)
	if a.Template != "" && !k8sNamePattern.MatchString(a.Template) {
		fe.Add("template", "must be a WorkflowTemplate name: lower-case letters, digits, - and .")
	}
	checkDuration(fe, "timeout", a.Timeout, false, time.Second, 24*time.Hour)
	for _, p := range a.Parameters {
		if !argoParamPattern.MatchString(p.Name) {
			fe.Add("parameters", fmt.Sprintf("%q is not a parameter name: write one parameter per line as NAME=value", p.Name))
		}
		checkTemplate(fe, "parameters", p.Value)
	}
	return fe
}

// TimeoutOr is the step's own time limit, or fallback when it has none.
func (a ArgoStep) TimeoutOr(fallback time.Duration) time.Duration {
	return mustDuration(a.Timeout, fallback)
}
