package policy_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"ladder/db"
	"ladder/internal/fault"
	"ladder/internal/policy"
	"ladder/internal/workflow"
)

var fakeNow = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func newServices(t *testing.T) (*policy.Service, *sql.DB) {
	t.Helper()
	conn, err := db.Open(context.Background(), filepath.Join(t.TempDir(), "ladder.db"))
	if err != nil {
		t.Fatalf("open db: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	now := func() time.Time { return fakeNow }
	check := fault.NewValidator()
	wfs := workflow.NewService(conn, check, now)
	_, err = wfs.Create(context.Background(), workflow.Input{Name: "smoke", Steps: []workflow.Step{
		{Name: "soak", Kind: workflow.KindWait, Wait: &workflow.WaitStep{Duration: "1m"}}}})
	if err != nil {
		t.Fatalf("create workflow: %v", err)
	}
	return policy.NewService(conn, check, now), conn
}

func count(t *testing.T, conn *sql.DB, query string) int {
	t.Helper()
	var n int
	if err := conn.QueryRow(query).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// TestCreateRejectsInvalidInput proves each rule reports on its own field and stores nothing.
func TestCreateRejectsInvalidInput(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(*policy.Input)
		field string
	}{
		{"bad name", func(in *policy.Input) { in.Name = "Default" }, "name"},
		{"reserved name", func(in *policy.Input) { in.Name = "evaluate" }, "name"},
		{"duplicate name", func(in *policy.Input) { in.Name = "taken" }, "name"},
		{"unknown action", func(in *policy.Input) { in.Settings.Action = "merge" }, "action"},
		{"unknown pre-action workflow", func(in *policy.Input) { in.Settings.PreAction = "nope" }, "preAction"},
		{"unknown post-action workflow", func(in *policy.Input) { in.Settings.PostAction = "nope" }, "postAction"},
		{"bad environment kind", func(in *policy.Input) { in.Selector.Environments.Kinds = []string{"qa"} }, "environmentKinds"},
		{"bad product name", func(in *policy.Input) { in.Selector.Products.Names = []string{"Shop"} }, "productNames"},
		{"bad tag", func(in *policy.Input) { in.Selector.Environments.Tags = []string{"=x"} }, "environmentTags"},
		{"priority out of range", func(in *policy.Input) { in.Priority = 2_000_000 }, "priority"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc, conn := newServices(t)
			ctx := context.Background()
			if _, err := svc.Create(ctx, policy.Input{Name: "taken", Settings: policy.Settings{Action: "commit"}}); err != nil {
				t.Fatalf("create first policy: %v", err)
			}
			in := policy.Input{Name: "default", Settings: policy.Settings{Action: "commit", PostAction: "smoke"}}
			tt.edit(&in)
			_, err := svc.Create(ctx, in)
			fe, ok := fault.Fields(err)
			if !ok || fe[tt.field] == "" {
				t.Fatalf("got error %v, want a field error on %q", err, tt.field)
			}
			if n := count(t, conn, "SELECT COUNT(*) FROM policies"); n != 1 {
				t.Errorf("got %d policies stored, want 1", n)
			}
		})
	}
}

// TestCreateUpdateDeleteAudited proves each change is stored with its audit record and that
// Evaluate reads the stored policies.
func TestCreateUpdateDeleteAudited(t *testing.T) {
	svc, conn := newServices(t)
	ctx := context.Background()
	in := policy.Input{Name: "default", Priority: 0, Settings: policy.Settings{Action: "commit", PostAction: "smoke"}}
	if _, err := svc.Create(ctx, in); err != nil {
		t.Fatalf("create: %v", err)
	}
	in.Name, in.Priority = "default-commit", 7
	p, err := svc.Update(ctx, "default", in)
	if err != nil {
		t.Fatalf("update: %v", err)
	}
	if p.Name != "default-commit" || p.Priority != 7 || p.Settings.PostAction != "smoke" {
		t.Errorf("got %+v, want the renamed policy with priority 7", p)
	}
	r, err := svc.Evaluate(ctx, policy.Product{Name: "shop"}, policy.Environment{Name: "dev"}, policy.Settings{})
	if err != nil {
		t.Fatalf("evaluate: %v", err)
	}
	if r.Action != (policy.Value{Value: "commit", Origin: "default-commit"}) {
		t.Errorf("got action %+v, want commit from default-commit", r.Action)
	}
	if err := svc.Delete(ctx, "default-commit"); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if n := count(t, conn, "SELECT COUNT(*) FROM audit_log WHERE entity_kind = 'policy'"); n != 3 {
		t.Errorf("got %d policy audit records, want 3", n)
	}
	if n := count(t, conn, "SELECT COUNT(*) FROM policies"); n != 0 {
		t.Errorf("got %d policies after delete, want 0", n)
	}
}

// TestBindingIsStoredResolvedAndAudited: a binding policy stays binding through update, its
// settings resolve as binding, and the audit record says so.
func TestBindingIsStoredResolvedAndAudited(t *testing.T) {
	svc, conn := newServices(t)
	ctx := context.Background()
	in := policy.Input{Name: "prod-gates", Priority: 10, Settings: policy.Settings{PreAction: "smoke", Action: "pull-request"}, Binding: true}
	if _, err := svc.Create(ctx, in); err != nil {
		t.Fatalf("create: %v", err)
	}
	if _, err := svc.Create(ctx, policy.Input{Name: "base", Settings: policy.Settings{Action: "commit", PostAction: "smoke"}}); err != nil {
		t.Fatalf("create: %v", err)
	}
	in.Priority = 11
	p, err := svc.Update(ctx, "prod-gates", in)
	if err != nil {
		t.Fatalf("update: %v", err)
	}
	if !p.Binding || !policy.InputOf(p).Binding {
		t.Errorf("got %+v, want it binding", p)
	}
	r, err := svc.Evaluate(ctx, policy.Product{Name: "shop"}, policy.Environment{Name: "prod"}, policy.Settings{})
	if err != nil {
		t.Fatalf("evaluate: %v", err)
	}
	want := [3]policy.Value{{Value: "smoke", Origin: "prod-gates", Binding: true}, {Value: "pull-request", Origin: "prod-gates", Binding: true},
		{Value: "smoke", Origin: "base"}}
	if got := [3]policy.Value{r.PreAction, r.Action, r.PostAction}; got != want {
		t.Errorf("resolved %+v, want %+v", got, want)
	}
	if n := count(t, conn, "SELECT COUNT(*) FROM audit_log WHERE entity_kind = 'policy' AND entity_name = 'prod-gates' AND detail LIKE '%; binding'"); n != 2 {
		t.Errorf("got %d audit records saying binding, want 2", n)
	}
}
