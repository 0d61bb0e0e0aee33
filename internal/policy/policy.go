// Package policy owns promotion policies and their resolution: which pre-action, action and
// post-action a promotion of a product into an environment uses.
package policy

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"ladder/db"
)

// Actions a promotion may take.
const (
	ActionCommit      = "commit"
	ActionPullRequest = "pull-request"
	ActionNone        = "none"
)

// Policy sets promotion settings for the (product, environment) pairs its selector matches.
// Higher Priority wins; ties go to the name that sorts first.
type Policy struct {
	ID       int64
	Name     string
	Priority int64
	Selector Selector
	Settings Settings
	// Binding makes the policy's settings gates a promoter cannot lift in a manual promotion
	// (the promotion service decides what that allows); an admin can, giving a reason.
	Binding   bool
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Settings are the promotion settings. An empty field is not set: resolution takes it from
// the next policy that sets it.
type Settings struct {
	PreAction  string `json:"preAction,omitempty" form:"preAction" validate:"omitempty,dnslabel"`
	Action     string `json:"action,omitempty" form:"action" validate:"omitempty,oneof=commit pull-request none"`
	PostAction string `json:"postAction,omitempty" form:"postAction" validate:"omitempty,dnslabel"`
}

// Selector chooses the products and environments a policy applies to. Within one list any
// entry may match; every non-empty list must match; an empty selector matches everything
// (a global policy).
type Selector struct {
	Products     ProductSelector     `json:"products"`
	Environments EnvironmentSelector `json:"environments"`
}

// ProductSelector matches products by name or tag.
type ProductSelector struct {
	Names []string `json:"names,omitempty" form:"productNames" validate:"dive,dnslabel"`
	Tags  []string `json:"tags,omitempty" form:"productTags" validate:"max=50,dive,tag"`
}

// EnvironmentSelector matches environments by name, kind or tag.
type EnvironmentSelector struct {
	Names []string `json:"names,omitempty" form:"environmentNames" validate:"dive,dnslabel"`
	Kinds []string `json:"kinds,omitempty" form:"environmentKinds" validate:"dive,oneof=production non-production"`
	Tags  []string `json:"tags,omitempty" form:"environmentTags" validate:"max=50,dive,tag"`
}

// Product is what resolution needs to know about a product.
type Product struct {
	Name string
	Tags []string
}

// Environment is what resolution needs to know about an environment.
type Environment struct {
	Name string
	Kind string
	Tags []string
}

// Global reports whether the selector matches every product and environment.
func (s Selector) Global() bool {
	return len(s.Products.Names)+len(s.Products.Tags)+
		len(s.Environments.Names)+len(s.Environments.Kinds)+len(s.Environments.Tags) == 0
}

// Matches reports whether the selector chooses product p in environment e.
func (s Selector) Matches(p Product, e Environment) bool {
	return anyOf(s.Products.Names, p.Name) && anyTag(s.Products.Tags, p.Tags) &&
		anyOf(s.Environments.Names, e.Name) && anyOf(s.Environments.Kinds, e.Kind) &&
		anyTag(s.Environments.Tags, e.Tags)
}

func anyOf(list []string, v string) bool { return len(list) == 0 || slices.Contains(list, v) }

func anyTag(want, have []string) bool {
	if len(want) == 0 {
		return true
	}
	for _, t := range want {
		if slices.Contains(have, t) {
			return true
		}
	}
	return false
}

// Input is what a person may set on a policy through a form or the API.
type Input struct {
	Name     string   `form:"name" validate:"required,dnslabel"`
	Priority int64    `form:"priority"`
	Selector Selector `form:"selector"`
	Settings Settings `form:"settings"`
	Binding  bool     `form:"binding"`
}

// InputOf returns the input that would recreate p, for an edit form.
func InputOf(p Policy) Input {
	return Input{Name: p.Name, Priority: p.Priority, Selector: p.Selector, Settings: p.Settings, Binding: p.Binding}
}

func fromRow(r db.Policy) (Policy, error) {
	var sel Selector
	if err := json.Unmarshal([]byte(r.Selector), &sel); err != nil {
		return Policy{}, fmt.Errorf("policy %q: read selector: %w", r.Name, err)
	}
	return Policy{
		ID:        r.ID,
		Name:      r.Name,
		Priority:  r.Priority,
		Selector:  sel,
		Settings:  Settings{PreAction: r.PreAction, Action: r.Action, PostAction: r.PostAction},
		Binding:   r.Binding,
		CreatedAt: r.CreatedAt,
		UpdatedAt: r.UpdatedAt,
	}, nil
}

func encodeSelector(s Selector) string {
	b, _ := json.Marshal(s) // lists of strings always encode
	return string(b)
}
