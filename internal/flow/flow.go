// Package flow owns promotion flows: the graph of environments a release of a product moves
// through after a change in the trigger environment, with per-step settings and hooks.
package flow

import (
	"encoding/json"
	"fmt"
	"time"

	"ladder/db"
	"ladder/internal/policy"
)

// DefaultTimeoutMinutes bounds a release of a flow whose author sets no timeout (one day).
const DefaultTimeoutMinutes = 1440

// Flow is a named promotion graph. The trigger environment is where changes are noticed; each
// step promotes into one more environment once every environment it depends on succeeded.
type Flow struct {
	ID                 int64
	Name               string
	Description        string
	Version            string // a free label, e.g. "v2" or "2026-q3"
	TriggerEnvironment string
	Steps              []Step
	Hooks              ReleaseHooks
	TimeoutMinutes     int64
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

// Timeout is how long a release of the flow may run before it is terminated.
func (f Flow) Timeout() time.Duration { return time.Duration(f.TimeoutMinutes) * time.Minute }

// Step promotes into one environment. Settings override, field by field, what policies
// decide; Hooks run around the whole environment.
type Step struct {
	Environment string           `json:"environment" form:"environment" validate:"required,dnslabel"`
	DependsOn   []string         `json:"dependsOn" form:"dependsOn" validate:"dive,dnslabel"`
	Settings    policy.Settings  `json:"settings,omitzero" form:"settings"`
	Hooks       EnvironmentHooks `json:"hooks,omitzero" form:"hooks"`
	// Soak, when set, holds the step until its dependencies have run the version long enough.
	Soak *Soak `json:"soak,omitempty" form:"-" validate:"-"`
}

// EnvironmentHooks are workflows run around one target environment: Pre once before the
// first application's pre-action, Post once after every application finished its
// post-action, OnFail once when the environment fails (an application, or the pre or post
// hook) or is terminated, before the release's own onFail. A failing pre or post hook fails
// the environment; a failing onFail hook adds its error to the environment's. All get the
// environment's parameters (APP_* are empty, since a hook belongs to no single application);
// OnFail also gets ERROR_MESSAGE and FAILED_ENVIRONMENTS.
type EnvironmentHooks struct {
	Pre    string `json:"pre,omitempty" form:"preHook" validate:"omitempty,dnslabel"`
	Post   string `json:"post,omitempty" form:"postHook" validate:"omitempty,dnslabel"`
	OnFail string `json:"onFail,omitempty" form:"onFailHook" validate:"omitempty,dnslabel"`
}

// ReleaseHooks are workflows run for the whole release: OnStart before the first
// environment, OnSuccess or OnFail at the end.
type ReleaseHooks struct {
	OnStart   string `json:"onStart,omitempty" form:"onStart" validate:"omitempty,dnslabel"`
	OnSuccess string `json:"onSuccess,omitempty" form:"onSuccess" validate:"omitempty,dnslabel"`
	OnFail    string `json:"onFail,omitempty" form:"onFail" validate:"omitempty,dnslabel"`
}

// Input is what a person may set on a flow through a form or the API. A step without
// DependsOn depends on the step before it (the first on the trigger environment); the stored
// flow names it explicitly. TimeoutMinutes 0 means DefaultTimeoutMinutes.
type Input struct {
	Name               string       `form:"name" validate:"required,dnslabel"`
	Description        string       `form:"description" validate:"max=1000"`
	Version            string       `form:"version" validate:"max=100"`
	TriggerEnvironment string       `form:"triggerEnvironment" validate:"required,dnslabel"`
	Steps              []Step       `form:"steps" validate:"-"` // checked step by step: steps.2.dependsOn
	Hooks              ReleaseHooks `form:"hooks"`
	TimeoutMinutes     int64        `form:"timeout"`
}

// InputOf returns the input that would recreate f, for an edit form.
func InputOf(f Flow) Input {
	return Input{Name: f.Name, Description: f.Description, Version: f.Version,
		TriggerEnvironment: f.TriggerEnvironment, Steps: f.Steps, Hooks: f.Hooks, TimeoutMinutes: f.TimeoutMinutes}
}

// Environments names the trigger environment and every step's environment, in order.
func (f Flow) Environments() []string {
	names := []string{f.TriggerEnvironment}
	for _, s := range f.Steps {
		names = append(names, s.Environment)
	}
	return names
}

// Workflows names every workflow the flow uses (step settings, step hooks, release hooks),
// possibly with repeats.
func (f Flow) Workflows() []string {
	var names []string
	for _, s := range f.Steps {
		names = append(names, s.Settings.PreAction, s.Settings.PostAction, s.Hooks.Pre, s.Hooks.Post, s.Hooks.OnFail)
	}
	names = append(names, f.Hooks.OnStart, f.Hooks.OnSuccess, f.Hooks.OnFail)
	var set []string
	for _, n := range names {
		if n != "" {
			set = append(set, n)
		}
	}
	return set
}

func fromRow(r db.Flow) (Flow, error) {
	f := Flow{
		ID:                 r.ID,
		Name:               r.Name,
		Description:        r.Description,
		Version:            r.Version,
		TriggerEnvironment: r.TriggerEnvironment,
		TimeoutMinutes:     r.TimeoutMinutes,
		CreatedAt:          r.CreatedAt,
		UpdatedAt:          r.UpdatedAt,
	}
	if err := json.Unmarshal([]byte(r.Steps), &f.Steps); err != nil {
		return Flow{}, fmt.Errorf("flow %q: read steps: %w", r.Name, err)
	}
	if err := json.Unmarshal([]byte(r.Hooks), &f.Hooks); err != nil {
		return Flow{}, fmt.Errorf("flow %q: read hooks: %w", r.Name, err)
	}
	return f, nil
}

func encode(v any) string {
	b, _ := json.Marshal(v) // steps and hooks are strings and lists of strings: they always encode
	return string(b)
}
