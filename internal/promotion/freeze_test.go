package promotion_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"ladder/db"
	"ladder/internal/broker"
	"ladder/internal/environment"
	"ladder/internal/fault"
	"ladder/internal/freeze"
	"ladder/internal/promotion"
	"ladder/internal/release"
	"ladder/internal/user"
)

// overrideRecorder is an engine that keeps the freeze overrides it is asked for.
type overrideRecorder struct {
	recorder
	overrides []string
}

func (r *overrideRecorder) OverrideFreeze(_ context.Context, id, env, by, reason string) error {
	r.overrides = append(r.overrides, id+" "+env+" "+by+": "+reason)
	return nil
}

// TestOverrideFreezeWindow: only admins and members of a promote rule's group for the
// environment may override its freeze windows for a release, with a reason, and only while a
// window (not a manual freeze) holds it.
func TestOverrideFreezeWindow(t *testing.T) {
	ctx := context.Background()
	conn, err := db.Open(ctx, filepath.Join(t.TempDir(), "ladder.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	saturday := time.Date(2026, 1, 10, 12, 0, 0, 0, time.UTC)
	check, now := fault.NewValidator(), func() time.Time { return saturday }
	envs := environment.NewService(conn, check, now)
	for _, e := range []environment.Input{{Name: "dev", Kind: "non-production"}, {Name: "staging", Kind: "non-production"},
		{Name: "prod", Kind: "production"}} {
		if _, err := envs.Create(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	windows := freeze.NewService(conn, check, now)
	if _, err := windows.Create(ctx, freeze.Input{Name: "weekend", Schedule: "0 20 * * 5", Duration: "60h",
		TimeZone: "Europe/Berlin", Reason: "weekend freeze"}); err != nil {
		t.Fatal(err)
	}
	users := user.NewService(conn, check, now, user.GroupRoles{})
	if _, err := users.CreateRule(ctx, user.RuleInput{Name: "sre-prod", Group: "sre", Permission: "promote", Kinds: []string{"production"}}); err != nil {
		t.Fatal(err)
	}
	rels := release.NewService(conn, broker.New(), now)
	rel, err := rels.Create(ctx, release.Spec{Product: "shop", TriggerEnv: "dev", Initiator: "pat",
		Environments: []release.EnvironmentSpec{{Name: "dev", IsTrigger: true}, {Name: "staging", DependsOn: []string{"dev"}},
			{Name: "prod", DependsOn: []string{"staging"}}}}, func(*release.Tx) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	engine := &overrideRecorder{}
	svc := promotion.NewService(&promotion.Planner{Environments: envs, Windows: windows}, rels, engine, users, nil)

	admin := promotion.Person(user.User{Name: "ada", GroupRole: user.Admin})
	sre := promotion.Person(user.User{Name: "sam", GroupRole: user.Promoter, Groups: []string{"sre"}})
	promoter := promotion.Person(user.User{Name: "pat", GroupRole: user.Promoter})
	viewer := promotion.Person(user.User{Name: "vic", GroupRole: user.Viewer})
	tests := []struct {
		name   string
		who    promotion.Actor
		env    string
		reason string
		want   error
	}{
		{"admin", admin, "prod", "hotfix", nil},
		{"member of the rule's group", sre, "prod", "hotfix", nil},
		{"promoter no rule names", promoter, "prod", "hotfix", fault.ErrForbidden},
		{"promoter where no rule applies", promoter, "staging", "hotfix", fault.ErrForbidden},
		{"viewer", viewer, "prod", "hotfix", fault.ErrForbidden},
		{"no reason", admin, "prod", " ", errInvalid},
		{"no such environment", admin, "qa", "hotfix", errInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			engine.overrides = nil
			err := svc.OverrideFreeze(ctx, tt.who, promotion.FreezeOverride{ReleaseID: rel.ID, Environment: tt.env, Reason: tt.reason})
			if !matches(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
			if tt.want == nil && (len(engine.overrides) != 1 || engine.overrides[0] != rel.ID+" prod "+tt.who.Name()+": hotfix") {
				t.Errorf("got overrides %q, want one by %s", engine.overrides, tt.who.Name())
			}
		})
	}
	if _, err := envs.Freeze(ctx, "prod", environment.FreezeInput{Reason: "incident"}); err != nil {
		t.Fatal(err)
	}
	err = svc.OverrideFreeze(ctx, admin, promotion.FreezeOverride{ReleaseID: rel.ID, Environment: "prod", Reason: "hotfix"})
	if !errors.Is(err, fault.ErrConflict) {
		t.Errorf("override of a manual freeze: got %v, want a conflict", err)
	}
	if _, err := envs.Unfreeze(ctx, "prod"); err != nil {
		t.Fatal(err)
	}
	if err := windows.Delete(ctx, "weekend"); err != nil {
		t.Fatal(err)
	}
	err = svc.OverrideFreeze(ctx, admin, promotion.FreezeOverride{ReleaseID: rel.ID, Environment: "prod", Reason: "hotfix"})
	if !errors.Is(err, fault.ErrConflict) {
		t.Errorf("override with no window: got %v, want a conflict", err)
	}
}

// errInvalid stands for field errors in the table.
var errInvalid = errors.New("field errors")

// matches reports whether err is want (nil: no error; errInvalid: field errors).
func matches(err, want error) bool {
	if want == errInvalid {
		_, ok := fault.Fields(err)
		return ok
	}
	if want == nil {
		return err == nil
	}
	return errors.Is(err, want)
}
