package policy_test

import (
	"slices"
	"strings"
	"testing"

	"ladder/internal/policy"
)

var (
	shop    = policy.Product{Name: "shop", Tags: []string{"team-a", "tier=1"}}
	billing = policy.Product{Name: "billing", Tags: []string{"team-b"}}
	dev     = policy.Environment{Name: "dev", Kind: "non-production", Tags: []string{"region=eu"}}
	prod    = policy.Environment{Name: "prod", Kind: "production", Tags: []string{"region=eu", "customer-facing"}}
)

func pol(name string, priority int64, sel policy.Selector, pre, action, post string) policy.Policy {
	return policy.Policy{Name: name, Priority: priority, Selector: sel,
		Settings: policy.Settings{PreAction: pre, Action: action, PostAction: post}}
}

func prodOnly() policy.Selector {
	return policy.Selector{Environments: policy.EnvironmentSelector{Kinds: []string{"production"}}}
}

// TestResolve proves resolution: priority order, ties by name, merging field by field, the
// inline override of a flow step, selectors, and the error and warning it reports.
func TestResolve(t *testing.T) {
	global := policy.Selector{}
	tests := []struct {
		name     string
		policies []policy.Policy
		product  policy.Product
		env      policy.Environment
		inline   policy.Settings
		want     [3]policy.Value // pre-action, action, post-action
		errors   int
		warnings int
	}{
		{"higher priority wins", []policy.Policy{pol("low", 1, global, "", "commit", ""), pol("high", 10, global, "", "pull-request", "")},
			shop, dev, policy.Settings{}, [3]policy.Value{{}, val("pull-request", "high"), {}}, 0, 0},
		{"negative priority loses to zero", []policy.Policy{pol("neg", -5, global, "", "none", ""), pol("zero", 0, global, "", "commit", "")},
			shop, dev, policy.Settings{}, [3]policy.Value{{}, val("commit", "zero"), {}}, 0, 0},
		{"tie broken by name ascending", []policy.Policy{pol("beta", 5, global, "", "pull-request", ""), pol("alpha", 5, global, "", "commit", "")},
			shop, dev, policy.Settings{}, [3]policy.Value{{}, val("commit", "alpha"), {}}, 0, 0},
		{"each field from the highest policy that sets it",
			[]policy.Policy{pol("base", 0, global, "", "commit", "smoke"), pol("prod-gate", 100, prodOnly(), "approve", "", "")},
			shop, prod, policy.Settings{}, [3]policy.Value{val("approve", "prod-gate"), val("commit", "base"), val("smoke", "base")}, 0, 0},
		{"selector that does not match is ignored",
			[]policy.Policy{pol("base", 0, global, "", "commit", "smoke"), pol("prod-gate", 100, prodOnly(), "approve", "pull-request", "")},
			shop, dev, policy.Settings{}, [3]policy.Value{{}, val("commit", "base"), val("smoke", "base")}, 0, 0},
		{"flow step overrides per field",
			[]policy.Policy{pol("base", 0, global, "check", "commit", "smoke")},
			shop, dev, policy.Settings{Action: "pull-request"},
			[3]policy.Value{val("check", "base"), val("pull-request", policy.OriginFlowStep), val("smoke", "base")}, 0, 0},
		{"flow step alone", nil, shop, dev, policy.Settings{Action: "commit", PostAction: "smoke"},
			[3]policy.Value{{}, val("commit", policy.OriginFlowStep), val("smoke", policy.OriginFlowStep)}, 0, 0},
		{"no action is an error", []policy.Policy{pol("hooks-only", 0, global, "check", "", "")},
			shop, dev, policy.Settings{}, [3]policy.Value{val("check", "hooks-only"), {}, {}}, 1, 0},
		{"no policies at all is an error", nil, shop, dev, policy.Settings{}, [3]policy.Value{}, 1, 0},
		{"none without pre-action warns", []policy.Policy{pol("external", 0, global, "", "none", "")},
			shop, dev, policy.Settings{}, [3]policy.Value{{}, val("none", "external"), {}}, 0, 1},
		{"none with pre-action is fine", []policy.Policy{pol("external", 0, global, "deploy", "none", "")},
			shop, dev, policy.Settings{}, [3]policy.Value{val("deploy", "external"), val("none", "external"), {}}, 0, 0},
		{"product names select", []policy.Policy{pol("global", 0, global, "", "commit", ""),
			pol("billing-pr", 50, policy.Selector{Products: policy.ProductSelector{Names: []string{"billing"}}}, "", "pull-request", "")},
			billing, dev, policy.Settings{}, [3]policy.Value{{}, val("pull-request", "billing-pr"), {}}, 0, 0},
		{"product names exclude others", []policy.Policy{pol("global", 0, global, "", "commit", ""),
			pol("billing-pr", 50, policy.Selector{Products: policy.ProductSelector{Names: []string{"billing"}}}, "", "pull-request", "")},
			shop, dev, policy.Settings{}, [3]policy.Value{{}, val("commit", "global"), {}}, 0, 0},
		{"product tags: any listed tag matches", []policy.Policy{
			pol("team-a", 0, policy.Selector{Products: policy.ProductSelector{Tags: []string{"team-z", "tier=1"}}}, "", "commit", "")},
			shop, dev, policy.Settings{}, [3]policy.Value{{}, val("commit", "team-a"), {}}, 0, 0},
		{"environment names select", []policy.Policy{
			pol("dev-only", 0, policy.Selector{Environments: policy.EnvironmentSelector{Names: []string{"dev"}}}, "", "commit", "")},
			shop, prod, policy.Settings{}, [3]policy.Value{}, 1, 0},
		{"environment tags select", []policy.Policy{
			pol("customers", 0, policy.Selector{Environments: policy.EnvironmentSelector{Tags: []string{"customer-facing"}}}, "", "pull-request", "")},
			shop, prod, policy.Settings{}, [3]policy.Value{{}, val("pull-request", "customers"), {}}, 0, 0},
		{"all given criteria must match", []policy.Policy{pol("team-a-prod", 0, policy.Selector{
			Products:     policy.ProductSelector{Tags: []string{"team-a"}},
			Environments: policy.EnvironmentSelector{Kinds: []string{"production"}, Tags: []string{"region=us"}}}, "", "commit", "")},
			shop, prod, policy.Settings{}, [3]policy.Value{}, 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := policy.Resolve(tt.policies, tt.product, tt.env, tt.inline)
			got := [3]policy.Value{r.PreAction, r.Action, r.PostAction}
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
			if len(r.Errors) != tt.errors || len(r.Warnings) != tt.warnings {
				t.Errorf("got errors %q and warnings %q, want %d and %d", r.Errors, r.Warnings, tt.errors, tt.warnings)
			}
		})
	}
}

// TestResolveMessages proves the error and warning say what is wrong.
func TestResolveMessages(t *testing.T) {
	r := policy.Resolve(nil, shop, dev, policy.Settings{})
	if !slices.ContainsFunc(r.Errors, func(s string) bool { return strings.Contains(s, "no action") }) {
		t.Errorf("got errors %q, want one saying no action", r.Errors)
	}
	r = policy.Resolve(nil, shop, dev, policy.Settings{Action: "none"})
	if !slices.ContainsFunc(r.Warnings, func(s string) bool { return strings.Contains(s, "no pre-action") }) {
		t.Errorf("got warnings %q, want one naming the missing pre-action", r.Warnings)
	}
}

// TestGlobal proves a selector with no criteria is global and matches everything.
func TestGlobal(t *testing.T) {
	if !(policy.Selector{}).Global() || !(policy.Selector{}).Matches(billing, prod) {
		t.Errorf("got an empty selector that is not global, want global")
	}
	if prodOnly().Global() {
		t.Errorf("got a production-only selector reported as global, want not global")
	}
}

func val(value, origin string) policy.Value { return policy.Value{Value: value, Origin: origin} }
