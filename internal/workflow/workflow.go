// Package workflow owns promotion workflows: named, reusable lists of steps (HTTP checks,
// commands, approvals, waits) run before or after a promotion's action, or as a hook.
package workflow

import (
	"encoding/json"
	"fmt"
	"time"

	"ladder/db"
)

// DefaultTimeout bounds a workflow run when its author sets no timeout.
const DefaultTimeout = 30 * time.Minute

// Parameters are given to every step, as {{.NAME}} in templates and NAME in the environment.
// Post-action steps also get COMMIT_*; onFail hooks also get ERROR_MESSAGE and
// FAILED_ENVIRONMENTS. Outputs of earlier steps of the same release are added to them.
var Parameters = []string{
	"RELEASE_ID", "RELEASE_URL", "PRODUCT_NAME", "VERSION", "FLOW_NAME", "ENVIRONMENT",
	"ENVIRONMENT_KIND", "APP_NAME", "REPO_URL", "BRANCH", "APP_PATH", "TRIGGER_COMMIT_SHA",
	"COMMIT_SHA", "COMMIT_MESSAGE", "COMMIT_AUTHOR", "COMMIT_DATE", "ERROR_MESSAGE", "FAILED_ENVIRONMENTS",
}

// Workflow is a named list of steps with a time limit for the whole run.
type Workflow struct {
	ID          int64
	Name        string
	Description string
	Timeout     time.Duration
	Steps       []Step
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Input is what a person may set on a workflow through a form or the API. Durations are Go
// duration strings ("30m", "5s"); an empty Timeout means DefaultTimeout.
type Input struct {
	Name        string `form:"name" validate:"required,dnslabel"`
	Description string `form:"description" validate:"max=1000"`
	Timeout     string `form:"timeout"`
	Steps       []Step `form:"steps" validate:"-"` // checked step by step, with keys like steps.2.url
}

// InputOf returns the input that would recreate w, for an edit form.
func InputOf(w Workflow) Input {
	return Input{Name: w.Name, Description: w.Description, Timeout: w.Timeout.String(), Steps: w.Steps}
}

func fromRow(r db.Workflow) (Workflow, error) {
	var steps []Step
	if err := json.Unmarshal([]byte(r.Steps), &steps); err != nil {
		return Workflow{}, fmt.Errorf("workflow %q: read steps: %w", r.Name, err)
	}
	timeout, err := time.ParseDuration(r.Timeout)
	if err != nil {
		return Workflow{}, fmt.Errorf("workflow %q: read timeout: %w", r.Name, err)
	}
	return Workflow{
		ID:          r.ID,
		Name:        r.Name,
		Description: r.Description,
		Timeout:     timeout,
		Steps:       steps,
		CreatedAt:   r.CreatedAt,
		UpdatedAt:   r.UpdatedAt,
	}, nil
}

func encodeSteps(steps []Step) (string, error) {
	if steps == nil {
		steps = []Step{}
	}
	b, err := json.Marshal(steps)
	if err != nil {
		return "", fmt.Errorf("encode steps: %w", err)
	}
	return string(b), nil
}

// Hidden stands for a value a person may not read.
const Hidden = "(hidden)"

// Redacted returns w with the values of its HTTP steps' headers and its exec steps'
// environment variables replaced by Hidden: they may hold credentials, and only admins (who
// edit workflows) may read them. Workflow secrets keep them out of workflows altogether.
func (w Workflow) Redacted() Workflow {
	steps := make([]Step, len(w.Steps))
	for i, s := range w.Steps {
		if s.HTTP != nil && len(s.HTTP.Headers) > 0 {
			h := *s.HTTP
			h.Headers = hideValues(h.Headers, func(hd Header) Header { hd.Value = Hidden; return hd })
			s.HTTP = &h
		}
		if s.Exec != nil && len(s.Exec.Env) > 0 {
			e := *s.Exec
			e.Env = hideValues(e.Env, func(p Param) Param { p.Value = Hidden; return p })
			s.Exec = &e
		}
		steps[i] = s
	}
	w.Steps = steps
	return w
}

func hideValues[T any](in []T, hide func(T) T) []T {
	out := make([]T, len(in))
	for i, v := range in {
		out[i] = hide(v)
	}
	return out
}
