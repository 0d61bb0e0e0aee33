package policy

import (
	"cmp"
	"slices"
)

// OriginFlowStep is the origin of a setting given inline by a flow step. Policy names are DNS
// labels, so it never equals one.
const OriginFlowStep = "flow step"

// Value is one resolved setting and where it came from: a policy's name, OriginFlowStep, or
// empty when nothing set it. Binding tells that the origin is a binding policy.
type Value struct {
	Value   string
	Origin  string
	Binding bool
}

// Resolution is the outcome of resolving the settings for one product in one environment.
type Resolution struct {
	PreAction  Value
	Action     Value
	PostAction Value
	Errors     []string // the promotion cannot run as resolved
	Warnings   []string // it can run, but probably not as intended
}

// Settings returns the resolved values without their origins.
func (r Resolution) Settings() Settings {
	return Settings{PreAction: r.PreAction.Value, Action: r.Action.Value, PostAction: r.PostAction.Value}
}

// Resolve decides the promotion settings of product p in environment e. Each of pre-action,
// action and post-action is taken separately from the highest-priority matching policy that
// sets it (ties: the name that sorts first); a field set in inline (a flow step's own
// settings) overrides it. It reads nothing and changes nothing.
func Resolve(policies []Policy, p Product, e Environment, inline Settings) Resolution {
	ordered := slices.Clone(policies)
	slices.SortStableFunc(ordered, func(a, b Policy) int {
		if c := cmp.Compare(b.Priority, a.Priority); c != 0 {
			return c
		}
		return cmp.Compare(a.Name, b.Name)
	})
	var r Resolution
	for _, pol := range ordered {
		if !pol.Selector.Matches(p, e) {
			continue
		}
		take(&r.PreAction, pol.Settings.PreAction, pol)
		take(&r.Action, pol.Settings.Action, pol)
		take(&r.PostAction, pol.Settings.PostAction, pol)
	}
	override(&r.PreAction, inline.PreAction)
	override(&r.Action, inline.Action)
	override(&r.PostAction, inline.PostAction)
	if r.Action.Value == "" {
		r.Errors = append(r.Errors, "no action: no matching policy sets one and the flow step does not either")
	}
	if r.Action.Value == ActionNone && r.PreAction.Value == "" {
		r.Warnings = append(r.Warnings, "action is none and there is no pre-action: nothing will change in Git")
	}
	return r
}

// take fills v from a policy unless a higher one already did.
func take(v *Value, value string, from Policy) {
	if v.Value == "" && value != "" {
		*v = Value{Value: value, Origin: from.Name, Binding: from.Binding}
	}
}

func override(v *Value, value string) {
	if value != "" {
		*v = Value{Value: value, Origin: OriginFlowStep}
	}
}
