package promotion

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"ladder/internal/fault"
	"ladder/internal/policy"
	"ladder/internal/release"
)

// Lock is one setting of a manual promotion that a binding policy fixes: a promoter may keep
// it, or tighten it (a commit action to a pull request), but not remove or replace it. An
// admin may lift it, giving a reason that is recorded with the release.
type Lock struct {
	Field   string   // the request's field: preAction, action or postAction
	Setting string   // the setting in words: pre-action, action or post-action
	Value   string   // what the policy sets
	Policy  string   // the binding policy that sets it
	Tighten []string // what a promoter may choose instead of Value
	MayLift bool     // the actor may lift it (an admin), with a reason
}

// Note says why the setting is locked, for the promote dialog.
func (l Lock) Note() string {
	switch {
	case l.MayLift:
		return fmt.Sprintf("Binding in policy %s. As an admin you may change it; give a reason, it is recorded.", l.Policy)
	case len(l.Tighten) > 0:
		return fmt.Sprintf("Locked by policy %s: you may only tighten it to %s.", l.Policy, strings.Join(l.Tighten, " or "))
	default:
		return fmt.Sprintf("Locked by policy %s: promoters may not remove or replace it.", l.Policy)
	}
}

// tighter names, per action, the stricter actions a promoter may choose over a binding one.
var tighter = map[string][]string{release.ActionCommit: {release.ActionPullRequest}}

// locksOf lists the settings of r that come from a binding policy.
func locksOf(r policy.Resolution) []Lock {
	var out []Lock
	for _, s := range []struct {
		field, setting string
		v              policy.Value
	}{{"preAction", "pre-action", r.PreAction}, {"action", "action", r.Action}, {"postAction", "post-action", r.PostAction}} {
		if s.v.Binding && s.v.Value != "" {
			l := Lock{Field: s.field, Setting: s.setting, Value: s.v.Value, Policy: s.v.Origin}
			if s.field == "action" {
				l.Tighten = tighter[s.v.Value]
			}
			out = append(out, l)
		}
	}
	return out
}

// breach says how choice (a request's value for l's field: "" keeps the policy's, "-" runs no
// workflow) would lift l, or "" when it keeps or tightens it.
func (l Lock) breach(choice string) string {
	switch {
	case choice == "" || choice == l.Value || slices.Contains(l.Tighten, choice):
		return ""
	case l.Field == "action":
		return fmt.Sprintf("change the action %s to %s", l.Value, choice)
	case choice == "-":
		return fmt.Sprintf("remove the %s %s", l.Setting, l.Value)
	default:
		return fmt.Sprintf("replace the %s %s by %s", l.Setting, l.Value, choice)
	}
}

// Locks lists the settings binding policies fix for a manual promotion of productName into
// env, as they apply to who (MayLift: who may lift them).
func (s *Service) Locks(ctx context.Context, who Actor, productName, env string) ([]Lock, error) {
	prod, err := s.plan.Products.Get(ctx, productName)
	if err != nil {
		return nil, err
	}
	e, err := s.envs.Get(ctx, env)
	if err != nil {
		return nil, err
	}
	res, err := s.plan.Policies.Evaluate(ctx, policy.Product{Name: prod.Name, Tags: prod.Tags},
		policy.Environment{Name: e.Name, Kind: e.Kind, Tags: e.Tags}, policy.Settings{})
	if err != nil {
		return nil, err
	}
	locks := locksOf(res)
	if len(locks) > 0 && s.authorize(ctx, who, ActLift, Scope{Product: prod.Name}, []string{e.Name}) == nil {
		for i := range locks {
			locks[i].MayLift = true
		}
	}
	return locks, nil
}

// holdGates checks req's overrides against the binding policies of its target. A promoter who
// would lift a gate is refused with the locked setting and its policy next to the field; an
// admin must give a reason, which spec then carries into the release's events and audit log.
func (s *Service) holdGates(ctx context.Context, who Actor, spec *release.Spec, req Request) error {
	locks, err := s.Locks(ctx, who, req.Product, req.To)
	if err != nil {
		return err
	}
	choice := map[string]string{"preAction": req.PreAction, "action": req.Action, "postAction": req.PostAction}
	fe := fault.FieldErrors{}
	var lifted []string
	for _, l := range locks {
		b := l.breach(choice[l.Field])
		switch {
		case b == "":
		case !l.MayLift:
			fe.Add(l.Field, fmt.Sprintf("locked by policy %s: promoters may not %s", l.Policy, b))
		default:
			lifted = append(lifted, fmt.Sprintf("%s (binding in policy %s)", b, l.Policy))
		}
	}
	if err := fe.Err(); err != nil {
		return err
	}
	if len(lifted) == 0 {
		return nil
	}
	reason := strings.TrimSpace(req.Reason)
	if reason == "" {
		return fault.FieldErrors{"reason": "give a reason to " + strings.Join(lifted, "; ") + "; it is recorded with the release"}
	}
	spec.Reason = strings.Join(lifted, "; ") + ": " + reason
	return nil
}
