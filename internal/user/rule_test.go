package user_test

import (
	"context"
	"path/filepath"
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
	prod := user.Target{Name: "prod", Kind: "production"}
	staging := user.Target{Name: "staging", Kind: "non-production"}
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
	if _, err := s.CreateRule(ctx, user.RuleInput{Group: "sre", Permission: "promote", Kinds: []string{"production"}}); err != nil {
		t.Fatal(err)
	}
	dev, err := s.SignIn(ctx, user.Identity{Subject: "iss|1", Username: "dana", Groups: []string{"dev"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		env  user.Target
		want bool
	}{{user.Target{Name: "prod", Kind: "production"}, false}, {user.Target{Name: "dev", Kind: "non-production"}, true}} {
		got, err := s.CanPromote(ctx, dev, tt.env)
		if err != nil || got != tt.want {
			t.Errorf("CanPromote(%s) = %v, %v; want %v", tt.env.Name, got, err, tt.want)
		}
	}
	if got, _ := s.CanApprove(ctx, dev, user.Target{Name: "prod", Kind: "production"}); !got {
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
	for _, field := range []string{"group", "permission", "names", "kinds"} {
		if fe[field] == "" {
			t.Errorf("no error for %s; got %v", field, fe)
		}
	}
	rules, _ := s.Rules(context.Background())
	if len(rules) != 0 {
		t.Errorf("got %d rules stored, want 0", len(rules))
	}
}
