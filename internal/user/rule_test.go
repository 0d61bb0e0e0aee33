package user_test

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"ladder/db"
	"ladder/internal/fault"
	"ladder/internal/user"
)

func newService(t *testing.T) *user.Service {
	t.Helper()
	conn, err := db.Open(context.Background(), filepath.Join(t.TempDir(), "ladder.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	now := func() time.Time { return time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC) }
	return user.NewService(conn, fault.NewValidator(), now, user.GroupRoles{Admin: []string{"ops"}, Promoter: []string{"dev", "sre"}})
}

func TestAllowed(t *testing.T) {
	prod := user.Target{Environment: "prod", Kind: "production"}
	staging := user.Target{Environment: "staging", Kind: "non-production"}
	onlySREToProd := []user.Rule{{Group: "sre", Permission: user.Promote, Environments: user.Selector{Kinds: []string{"production"}}}}
	devOrQAToStaging := []user.Rule{
		{Group: "dev", Permission: user.Promote, Environments: user.Selector{Names: []string{"staging"}}},
		{Group: "qa", Permission: user.Promote, Environments: user.Selector{Names: []string{"staging"}}},
	}
	promoter := func(groups ...string) user.User { return user.User{GroupRole: user.Promoter, Groups: groups} }
	tests := []struct {
		name  string
		rules []user.Rule
		user  user.User
		perm  user.Permission
		env   user.Target
		want  bool
	}{
		{"viewer never promotes", nil, user.User{GroupRole: user.Viewer}, user.Promote, staging, false},
		{"promoter without rules promotes anywhere", nil, promoter("dev"), user.Promote, prod, true},
		{"admin ignores rules", onlySREToProd, user.User{GroupRole: user.Admin}, user.Promote, prod, true},
		{"promoter limited to non-production cannot promote to production", onlySREToProd, promoter("dev"), user.Promote, prod, false},
		{"promoter limited to non-production still promotes to staging", onlySREToProd, promoter("dev"), user.Promote, staging, true},
		{"member of the rule's group promotes to production", onlySREToProd, promoter("sre"), user.Promote, prod, true},
		{"a promote rule does not narrow approving", onlySREToProd, promoter("dev"), user.Approve, prod, true},
		{"any of several matching rules is enough", devOrQAToStaging, promoter("qa"), user.Promote, staging, true},
		{"none of several matching rules refuses", devOrQAToStaging, promoter("sales"), user.Promote, staging, false},
		{"name selector leaves other environments open", devOrQAToStaging, promoter("sales"), user.Promote, prod, true},
		{"role override to promoter counts", nil, user.User{GroupRole: user.Viewer, RoleOverride: user.Promoter}, user.Promote, prod, true},
		{"disabled user never promotes", nil, user.User{GroupRole: user.Admin, Disabled: true}, user.Promote, prod, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := user.Allowed(tt.rules, tt.user, tt.perm, tt.env); got != tt.want {
				t.Errorf("Allowed = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestCanPromoteUsesStoredRules(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	if _, err := s.CreateRule(ctx, user.RuleInput{Name: "sre-prod", Group: "sre", Permission: "promote", Kinds: []string{"production"}}); err != nil {
		t.Fatal(err)
	}
	dev, err := s.SignIn(ctx, user.Identity{Subject: "iss|1", Username: "dana", Groups: []string{"dev"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		env  user.Target
		want bool
	}{{user.Target{Environment: "prod", Kind: "production"}, false}, {user.Target{Environment: "dev", Kind: "non-production"}, true}} {
		got, err := s.CanPromote(ctx, dev, tt.env)
		if err != nil || got != tt.want {
			t.Errorf("CanPromote(%s) = %v, %v; want %v", tt.env.Environment, got, err, tt.want)
		}
	}
	if got, _ := s.CanApprove(ctx, dev, user.Target{Environment: "prod", Kind: "production"}); !got {
		t.Errorf("CanApprove(prod) = false, want true: the rule only narrows promoting")
	}
}

func TestCreateRuleValidates(t *testing.T) {
	s := newService(t)
	_, err := s.CreateRule(context.Background(), user.RuleInput{Permission: "deploy", Kinds: []string{"prod"}, Names: []string{"Not A Name"}})
	fe, ok := fault.Fields(err)
	if !ok {
		t.Fatalf("got %v, want field errors", err)
	}
	for _, field := range []string{"name", "group", "permission", "names", "kinds"} {
		if fe[field] == "" {
			t.Errorf("no error for %s; got %v", field, fe)
		}
	}
	rules, _ := s.Rules(context.Background())
	if len(rules) != 0 {
		t.Errorf("got %d rules stored, want 0", len(rules))
	}
}

// TestRulesScopedToProductsAndFlows: a rule narrows only the targets it selects on every
// axis — environment, product (by name or tag) and flow — and trigger and retry also need
// promote.
func TestRulesScopedToProductsAndFlows(t *testing.T) {
	shopProd := user.Target{Environment: "prod", Kind: "production", Product: "shop", ProductTags: []string{"team-a"}}
	blogProd := user.Target{Environment: "prod", Kind: "production", Product: "blog", ProductTags: []string{"team-b"}}
	shopStaging := user.Target{Environment: "staging", Kind: "non-production", Product: "shop", ProductTags: []string{"team-a"}}
	inFlow := func(t user.Target, flow string) user.Target { t.Flow = flow; return t }
	onlyPaymentsShop := []user.Rule{{Group: "payments", Permission: user.Promote, Products: user.ProductSelector{Names: []string{"shop"}}}}
	onlyTeamAToProd := []user.Rule{{Group: "team-a", Permission: user.Promote,
		Environments: user.Selector{Kinds: []string{"production"}}, Products: user.ProductSelector{Tags: []string{"team-a", "team-c"}}}}
	onlyRMHotfix := []user.Rule{{Group: "release-managers", Permission: user.Trigger, Flows: user.FlowSelector{Names: []string{"hotfix"}}}}
	onlySRERetries := []user.Rule{{Group: "sre", Permission: user.Retry}}
	onlySREPromotesHotfix := []user.Rule{{Group: "sre", Permission: user.Promote, Flows: user.FlowSelector{Names: []string{"hotfix"}}}}
	promoter := func(groups ...string) user.User { return user.User{GroupRole: user.Promoter, Groups: groups} }
	tests := []struct {
		name  string
		rules []user.Rule
		user  user.User
		perm  user.Permission
		at    user.Target
		want  bool
	}{
		{"a product rule refuses others that product", onlyPaymentsShop, promoter("dev"), user.Promote, shopProd, false},
		{"a product rule leaves other products open", onlyPaymentsShop, promoter("dev"), user.Promote, blogProd, true},
		{"a product rule lets its group in", onlyPaymentsShop, promoter("payments"), user.Promote, shopStaging, true},
		{"a tag rule selects a product with any of its tags", onlyTeamAToProd, promoter("dev"), user.Promote, shopProd, false},
		{"a tag rule leaves untagged products open", onlyTeamAToProd, promoter("dev"), user.Promote, blogProd, true},
		{"a tag rule needs its environment too", onlyTeamAToProd, promoter("dev"), user.Promote, shopStaging, true},
		{"a flow rule refuses triggering that flow", onlyRMHotfix, promoter("dev"), user.Trigger, inFlow(shopProd, "hotfix"), false},
		{"a flow rule leaves other flows open", onlyRMHotfix, promoter("dev"), user.Trigger, inFlow(shopProd, "weekly"), true},
		{"a trigger rule does not narrow single promotions", onlyRMHotfix, promoter("dev"), user.Promote, shopProd, true},
		{"a flow rule lets its group trigger", onlyRMHotfix, promoter("release-managers"), user.Trigger, inFlow(shopProd, "hotfix"), true},
		{"a flow-scoped promote rule does not select single promotions", onlySREPromotesHotfix, promoter("dev"), user.Promote, shopProd, true},
		{"triggering needs the promote rules too", onlySREPromotesHotfix, promoter("dev"), user.Trigger, inFlow(shopProd, "hotfix"), false},
		{"a retry rule narrows retrying", onlySRERetries, promoter("dev"), user.Retry, shopProd, false},
		{"a retry rule does not narrow promoting", onlySRERetries, promoter("dev"), user.Promote, shopProd, true},
		{"retrying needs the promote rules too", onlyPaymentsShop, promoter("sre"), user.Retry, shopProd, false},
		{"retrying with both rules' groups", append(slices.Clone(onlyPaymentsShop), onlySRERetries...), promoter("sre", "payments"), user.Retry, shopProd, true},
		{"admins pass scoped rules", onlyPaymentsShop, user.User{GroupRole: user.Admin}, user.Promote, shopProd, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := user.Allowed(tt.rules, tt.user, tt.perm, tt.at); got != tt.want {
				t.Errorf("Allowed = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestDecideNamesTheRules: the verdict carries the rules that select the target, per
// permission needed, and which of them let the user in.
func TestDecideNamesTheRules(t *testing.T) {
	rules := []user.Rule{
		{Name: "payments-shop", Group: "payments", Permission: user.Promote, Products: user.ProductSelector{Names: []string{"shop"}}},
		{Name: "sre-shop", Group: "sre", Permission: user.Promote, Products: user.ProductSelector{Names: []string{"shop"}}},
		{Name: "blog-only", Group: "blog", Permission: user.Promote, Products: user.ProductSelector{Names: []string{"blog"}}},
		{Name: "sre-retries", Group: "sre", Permission: user.Retry},
	}
	shop := user.Target{Environment: "prod", Kind: "production", Product: "shop"}
	v := user.Decide(rules, user.User{GroupRole: user.Promoter, Groups: []string{"payments"}}, user.Retry, shop)
	if v.Allowed || len(v.Checks) != 2 {
		t.Fatalf("got allowed %v with %d checks, want refused with 2 (promote, retry)", v.Allowed, len(v.Checks))
	}
	names := func(rs []user.Rule) string {
		var out []string
		for _, r := range rs {
			out = append(out, r.Name)
		}
		return strings.Join(out, ",")
	}
	if got := names(v.Checks[0].Selecting); got != "payments-shop,sre-shop" {
		t.Errorf("promote rules selecting: got %s, want payments-shop,sre-shop", got)
	}
	if got := names(v.Checks[0].Granting); got != "payments-shop" {
		t.Errorf("promote rules granting: got %s, want payments-shop", got)
	}
	if got := names(v.Refusing()); got != "sre-retries" {
		t.Errorf("refusing: got %s, want sre-retries", got)
	}
	open := user.Decide(rules, user.User{GroupRole: user.Promoter}, user.Promote, user.Target{Environment: "prod", Product: "wiki"})
	if !open.Allowed || len(open.Checks) != 1 || len(open.Checks[0].Selecting) != 0 {
		t.Errorf("a target no rule selects: got %+v, want allowed with no rule selecting", open)
	}
	if v := user.Decide(rules, user.User{GroupRole: user.Viewer}, user.Promote, shop); v.Allowed || v.Role != "viewer" {
		t.Errorf("viewer: got %+v, want refused by role", v)
	}
}

// TestRulesAreNamedAndCheckTheirReferences: rule names are unique; a rule may name only
// environments, products and flows that exist; update and delete address rules by name.
func TestRulesAreNamedAndCheckTheirReferences(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	_, err := s.CreateRule(ctx, user.RuleInput{Name: "r1", Group: "sre", Permission: "trigger",
		Names: []string{"nowhere"}, ProductNames: []string{"noproduct"}, FlowNames: []string{"noflow"}})
	fe, ok := fault.Fields(err)
	if !ok {
		t.Fatalf("got %v, want field errors", err)
	}
	for _, field := range []string{"names", "productNames", "flowNames"} {
		if !strings.Contains(fe[field], "there is no") {
			t.Errorf("%s: got %q, want it to say there is no such thing", field, fe[field])
		}
	}
	in := user.RuleInput{Name: "r1", Group: "sre", Permission: "retry", ProductTags: []string{"team-a"}}
	if _, err := s.CreateRule(ctx, in); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateRule(ctx, in); err == nil {
		t.Errorf("second rule r1: got no error, want the name taken")
	}
	in.Name, in.Group = "r2", "ops"
	if _, err := s.UpdateRule(ctx, "r1", in); err != nil {
		t.Fatal(err)
	}
	r, err := s.Rule(ctx, "r2")
	if err != nil || r.Group != "ops" || r.Permission != user.Retry || !slices.Equal(r.Products.Tags, []string{"team-a"}) {
		t.Errorf("renamed rule: got %+v, %v", r, err)
	}
	if err := s.DeleteRule(ctx, "r2"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Rule(ctx, "r2"); !errors.Is(err, fault.ErrNotFound) {
		t.Errorf("deleted rule: got %v, want not found", err)
	}
}
