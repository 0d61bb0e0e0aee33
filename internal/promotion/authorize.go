package promotion

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"ladder/internal/environment"
	"ladder/internal/fault"
	"ladder/internal/release"
	"ladder/internal/user"
)

// Scope is what a release action concerns besides its environments: the product and the flow
// ("" for a single promotion, a roll back, a pin).
type Scope struct {
	Product string
	Flow    string
}

// scopeOf is the scope of a release.
func scopeOf(rel release.Release) Scope { return Scope{Product: rel.Product, Flow: rel.Flow} }

// permission is the permission act needs: approving and rejecting need approve, retrying
// needs retry, starting a flow needs trigger (each of the last two also needs promote, see
// user.Permission.Needs), everything else needs promote.
func (act Action) permission(sc Scope) user.Permission {
	switch {
	case act == ActApprove || act == ActReject:
		return user.Approve
	case act == ActRetry:
		return user.Retry
	case act == ActStart && sc.Flow != "":
		return user.Trigger
	}
	return user.Promote
}

// authorize is the one place that decides whether who may take act on the environments
// targets (the release's target environments; for a decision, the step's environment, or
// none for a release hook's step) of product and flow sc. The trigger may only start releases
// (automatic releases are not subject to rules); viewers and disabled users may do nothing;
// admins may do everything; a promoter may when the rules of the permission act needs let
// them into every target. Only admins may lift a binding policy's gate; only admins and the
// groups of promote rules that select the target may override its freeze windows.
func (s *Service) authorize(ctx context.Context, who Actor, act Action, sc Scope, targets []string) error {
	if who.Automatic {
		if act == ActStart {
			return nil
		}
		return fmt.Errorf("the trigger may only start releases: %w", fault.ErrForbidden)
	}
	u := who.User
	if u.Name == "" {
		return fault.ErrUnauthenticated
	}
	if u.Disabled || !u.Role().AtLeast(user.Promoter) {
		return fmt.Errorf("%s may not %s releases: %w", u.Name, act, fault.ErrForbidden)
	}
	if act == ActLift && !u.Role().AtLeast(user.Admin) {
		return fmt.Errorf("%s may not lift the gates of binding policies: %w", u.Name, fault.ErrForbidden)
	}
	rules, err := s.users.Rules(ctx)
	if err != nil {
		return err
	}
	perm := act.permission(sc)
	tags, err := s.productTags(ctx, sc.Product)
	if err != nil {
		return err
	}
	for _, name := range targets {
		e, err := s.envs.Get(ctx, name)
		if err != nil {
			return err
		}
		target := user.Target{Environment: e.Name, Kind: e.Kind, Product: sc.Product, ProductTags: tags, Flow: sc.Flow}
		if act == ActOverrideFreeze && !user.Granted(rules, u, perm, target) {
			return fmt.Errorf("%s may not override the freeze windows of %s (admins and the groups of promote rules for it may): %w", u.Name, name, fault.ErrForbidden)
		}
		if v := user.Decide(rules, u, perm, target); !v.Allowed {
			return &fault.Refusal{Reason: fmt.Sprintf("%s may not %s (%s)", u.Name, Describe(perm, target), refusedBy(v))}
		}
	}
	return nil
}

// productTags are the tags of product name (none for "", or a product that no longer exists).
func (s *Service) productTags(ctx context.Context, name string) ([]string, error) {
	if name == "" || s.plan.Products == nil {
		return nil, nil
	}
	p, err := s.plan.Products.Get(ctx, name)
	if err != nil && !errors.Is(err, fault.ErrNotFound) {
		return nil, err
	}
	return p.Tags, nil
}

// Describe says what perm on t is, as a sentence fragment: "promote shop to prod",
// "trigger flow hotfix of shop to prod", "approve shop in prod".
func Describe(perm user.Permission, t user.Target) string {
	what := t.Product
	if what == "" {
		what = "releases"
	}
	if t.Flow != "" {
		what = "flow " + t.Flow + " of " + what
	}
	if perm == user.Approve {
		return "approve " + what + " in " + t.Environment
	}
	return string(perm) + " " + what + " to " + t.Environment
}

// refusedBy names the rules that refuse a verdict: "rules sre-prod, payments-shop".
func refusedBy(v user.Verdict) string {
	var names []string
	for _, r := range v.Refusing() {
		names = append(names, r.Name)
	}
	if len(names) == 1 {
		return "rule " + names[0]
	}
	return "rules " + strings.Join(names, ", ")
}

// Promotable reports, for each of products and each environment in envs, whether who may
// promote the product into it (product "": any product no product-scoped rule keeps them
// from); pages use it to offer only the targets a promotion could start for. The rules and
// the products are read once.
func (s *Service) Promotable(ctx context.Context, who Actor, products []string, envs []environment.Environment) (map[string]map[string]bool, error) {
	out := map[string]map[string]bool{}
	for _, p := range products {
		out[p] = map[string]bool{}
	}
	if who.User.Name == "" {
		return out, nil
	}
	rules, err := s.users.Rules(ctx)
	if err != nil {
		return nil, err
	}
	tags := map[string][]string{}
	if s.plan.Products != nil {
		all, err := s.plan.Products.List(ctx)
		if err != nil {
			return nil, err
		}
		for _, p := range all {
			tags[p.Name] = p.Tags
		}
	}
	for _, p := range products {
		for _, e := range envs {
			t := user.Target{Environment: e.Name, Kind: e.Kind, Product: p, ProductTags: tags[p]}
			out[p][e.Name] = who.Automatic || user.Allowed(rules, who.User, user.Promote, t)
		}
	}
	return out, nil
}

// MayPromoteTo refuses (fault.ErrForbidden) when who may not promote product into env by a
// single promotion.
func (s *Service) MayPromoteTo(ctx context.Context, who Actor, product, env string) error {
	return s.authorize(ctx, who, ActStart, Scope{Product: product}, []string{env})
}
