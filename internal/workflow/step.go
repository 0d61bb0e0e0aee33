package workflow

import (
	"fmt"
	"strings"
	"text/template"
	"time"

	"github.com/theory/jsonpath"

	"ladder/internal/fault"
)

// Kinds of step.
const (
	KindHTTP     = "http"
	KindExec     = "exec"
	KindApproval = "approval"
	KindWait     = "wait"
	KindArgo     = "argo"
)

// Kinds lists every step kind a workflow may use, in the order the editor offers them.
var Kinds = []string{KindHTTP, KindExec, KindApproval, KindWait, KindArgo}

// Step is one step of a workflow: a name, a kind, and the settings of that kind (exactly one
// of the kind fields is set, matching Kind).
type Step struct {
	Name     string        `json:"name" form:"name" validate:"required,dnslabel"`
	Kind     string        `json:"kind" form:"kind" validate:"required,oneof=http exec approval wait argo"`
	HTTP     *HTTPStep     `json:"http,omitempty" form:"-" validate:"-"`
	Exec     *ExecStep     `json:"exec,omitempty" form:"-" validate:"-"`
	Approval *ApprovalStep `json:"approval,omitempty" form:"-" validate:"-"`
	Wait     *WaitStep     `json:"wait,omitempty" form:"-" validate:"-"`
	Argo     *ArgoStep     `json:"argo,omitempty" form:"-" validate:"-"`
}

// NewStep returns a step of kind with that kind's defaults, ready for the editor.
func NewStep(kind, name string) Step {
	s := Step{Name: name, Kind: kind}
	s.ensureSpec()
	return s
}

// spec is what every kind's settings do: fill defaults and report problems keyed by the
// field names of one step's form (url, retries, …).
type spec interface {
	normalize()
	problems(check *fault.Validator) fault.FieldErrors
}

// ensureSpec makes the settings of s's kind present and drops those of other kinds, so a
// step whose kind changed in the editor keeps only what applies.
func (s *Step) ensureSpec() {
	http, exec, approval, wait, argo := s.HTTP, s.Exec, s.Approval, s.Wait, s.Argo
	s.HTTP, s.Exec, s.Approval, s.Wait, s.Argo = nil, nil, nil, nil, nil
	switch s.Kind {
	case KindHTTP:
		s.HTTP = orNew(http)
	case KindExec:
		s.Exec = orNew(exec)
	case KindApproval:
		s.Approval = orNew(approval)
	case KindWait:
		s.Wait = orNew(wait)
	case KindArgo:
		s.Argo = orNew(argo)
	}
	if sp := s.spec(); sp != nil {
		sp.normalize()
	}
}

func orNew[T any](p *T) *T {
	if p == nil {
		return new(T)
	}
	return p
}

func (s Step) spec() spec {
	switch {
	case s.HTTP != nil:
		return s.HTTP
	case s.Exec != nil:
		return s.Exec
	case s.Approval != nil:
		return s.Approval
	case s.Wait != nil:
		return s.Wait
	case s.Argo != nil:
		return s.Argo
	}
	return nil
}

// checkSteps validates every step and returns problems keyed steps.<index>.<field>.
func checkSteps(check *fault.Validator, steps []Step) fault.FieldErrors {
	fe := fault.FieldErrors{}
	if len(steps) == 0 {
		fe.Add("steps", "add at least one step")
	}
	seen := map[string]int{}
	for i := range steps {
		s := &steps[i]
		s.Name = strings.TrimSpace(s.Name)
		s.ensureSpec()
		prefix := fmt.Sprintf("steps.%d.", i)
		add(fe, prefix, check.Struct(*s))
		if j, dup := seen[s.Name]; dup && s.Name != "" {
			fe.Add(prefix+"name", fmt.Sprintf("step %d is already called %q", j+1, s.Name))
		}
		seen[s.Name] = i
		if sp := s.spec(); sp != nil {
			add(fe, prefix, sp.problems(check))
		}
	}
	return fe
}

func add(fe fault.FieldErrors, prefix string, more fault.FieldErrors) {
	for k, v := range more {
		fe.Add(prefix+k, v)
	}
}

// checkDuration reports a problem with the duration text d under key: it must parse and lie
// within [least, most]. An empty d is accepted unless required.
func checkDuration(fe fault.FieldErrors, key, d string, required bool, least, most time.Duration) {
	if d == "" {
		if required {
			fe.Add(key, "is required")
		}
		return
	}
	v, err := time.ParseDuration(d)
	switch {
	case err != nil:
		fe.Add(key, fmt.Sprintf("%q is not a duration: use a number and a unit such as 30s, 5m or 1h", d))
	case v < least || v > most:
		fe.Add(key, fmt.Sprintf("must be between %s and %s", least, most))
	}
}

// SecretFunc is the template function that gives a workflow secret's value by name:
// {{secret "deploy-token"}}. It may be used in an HTTP step's header values and body and in
// an exec step's environment, nowhere else (a URL or an argo parameter is shown and logged).
const SecretFunc = "secret"

// withSecrets declares SecretFunc for parsing only.
var withSecrets = template.FuncMap{SecretFunc: func(string) (string, error) { return "", nil }}

// checkTemplate reports a problem under key when text does not parse as a text/template or
// uses a workflow secret.
func checkTemplate(fe fault.FieldErrors, key, text string) { checkTemplateOf(fe, key, text, false) }

// checkTemplateOf is checkTemplate; secrets reports that text may use workflow secrets.
func checkTemplateOf(fe fault.FieldErrors, key, text string, secrets bool) {
	if _, err := template.New(key).Funcs(withSecrets).Option("missingkey=error").Parse(text); err != nil {
		fe.Add(key, "is not a valid template: "+strings.TrimPrefix(err.Error(), "template: "))
		return
	}
	if _, err := template.New(key).Option("missingkey=error").Parse(text); err != nil && !secrets {
		fe.Add(key, "cannot use a workflow secret: {{secret \"name\"}} goes only into header values, the body or an exec step's environment")
	}
}

// checkJSONPath reports a problem under key when p is not an RFC 9535 JSONPath.
func checkJSONPath(fe fault.FieldErrors, key, p string) {
	if _, err := jsonpath.Parse(p); err != nil {
		fe.Add(key, "is not a JSONPath (such as $.status): "+err.Error())
	}
}

// mustDuration parses a duration that validation already accepted; empty gives fallback.
func mustDuration(d string, fallback time.Duration) time.Duration {
	v, err := time.ParseDuration(d)
	if err != nil {
		return fallback
	}
	return v
}
