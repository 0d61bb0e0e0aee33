package environment_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ladder/db"
	"ladder/internal/audit"
	"ladder/internal/environment"
	"ladder/internal/fault"
)

var fakeNow = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func newService(t *testing.T) (*environment.Service, *sql.DB) {
	t.Helper()
	conn, err := db.Open(context.Background(), filepath.Join(t.TempDir(), "ladder.db"))
	if err != nil {
		t.Fatalf("open db: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	return environment.NewService(conn, fault.NewValidator(), func() time.Time { return fakeNow }), conn
}

func count(t *testing.T, conn *sql.DB, table string) int {
	t.Helper()
	var n int
	if err := conn.QueryRow("SELECT COUNT(*) FROM " + table).Scan(&n); err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}

// TestCreateRejectsInvalidInput proves each field rule: the error names the field and nothing
// reaches the database, neither the environment nor an audit record.
func TestCreateRejectsInvalidInput(t *testing.T) {
	valid := environment.Input{Name: "staging", Kind: environment.KindNonProduction}
	tests := []struct {
		name  string
		edit  func(*environment.Input)
		field string
	}{
		{"empty name", func(in *environment.Input) { in.Name = "" }, "name"},
		{"uppercase name", func(in *environment.Input) { in.Name = "Staging" }, "name"},
		{"underscore in name", func(in *environment.Input) { in.Name = "stag_ing" }, "name"},
		{"leading dash", func(in *environment.Input) { in.Name = "-staging" }, "name"},
		{"trailing dash", func(in *environment.Input) { in.Name = "staging-" }, "name"},
		{"name of 64 characters", func(in *environment.Input) { in.Name = strings.Repeat("a", 64) }, "name"},
		{"empty kind", func(in *environment.Input) { in.Kind = "" }, "kind"},
		{"unknown kind", func(in *environment.Input) { in.Kind = "qa" }, "kind"},
		{"bad tag", func(in *environment.Input) { in.Tags = []string{"ok", "=nokey"} }, "tags"},
		{"tag with spaces inside a value", func(in *environment.Input) { in.Tags = []string{"a=b c"} }, "tags"},
		{"description too long", func(in *environment.Input) { in.Description = strings.Repeat("x", 1001) }, "description"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc, conn := newService(t)
			in := valid
			tt.edit(&in)
			_, err := svc.Create(context.Background(), in)
			fe, ok := fault.Fields(err)
			if !ok {
				t.Fatalf("got error %v, want field errors", err)
			}
			if fe[tt.field] == "" {
				t.Errorf("got field errors %v, want one for %q", fe, tt.field)
			}
			if n := count(t, conn, "environments"); n != 0 {
				t.Errorf("got %d environments stored, want 0", n)
			}
			if n := count(t, conn, "audit_log"); n != 0 {
				t.Errorf("got %d audit records, want 0", n)
			}
		})
	}
}

func TestCreateRefusesDuplicateName(t *testing.T) {
	svc, conn := newService(t)
	ctx := context.Background()
	in := environment.Input{Name: "dev", Kind: environment.KindNonProduction}
	if _, err := svc.Create(ctx, in); err != nil {
		t.Fatalf("create: %v", err)
	}
	_, err := svc.Create(ctx, in)
	if fe, ok := fault.Fields(err); !ok || !strings.Contains(fe["name"], "already exists") {
		t.Fatalf("got %v, want a name error saying it already exists", err)
	}
	if n := count(t, conn, "environments"); n != 1 {
		t.Errorf("got %d environments, want 1", n)
	}
}

func TestCreateUpdateDeleteWriteAudit(t *testing.T) {
	svc, conn := newService(t)
	ctx := audit.WithActor(context.Background(), "alice")
	created, err := svc.Create(ctx, environment.Input{Name: "dev", Kind: environment.KindNonProduction, Tags: []string{"region=eu", "team-a"}})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if created.Position != 1 || len(created.Tags) != 2 || created.Tags[0] != "region=eu" {
		t.Errorf("got %+v, want position 1 and two tags", created)
	}
	if _, err := svc.Update(ctx, "dev", environment.Input{Name: "development", Kind: environment.KindNonProduction}); err != nil {
		t.Fatalf("update: %v", err)
	}
	if _, err := svc.Get(ctx, "dev"); !errors.Is(err, fault.ErrNotFound) {
		t.Errorf("got %v for the old name, want ErrNotFound", err)
	}
	if err := svc.Delete(ctx, "development"); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if err := svc.Delete(ctx, "development"); !errors.Is(err, fault.ErrNotFound) {
		t.Errorf("got %v deleting twice, want ErrNotFound", err)
	}
	rows, err := conn.Query("SELECT actor, action, entity_name FROM audit_log ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var actor, action, name string
		if err := rows.Scan(&actor, &action, &name); err != nil {
			t.Fatal(err)
		}
		got = append(got, actor+" "+action+" "+name)
	}
	want := []string{"alice create dev", "alice update development", "alice delete development"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("got audit %q, want %q", got, want)
	}
}

func TestMoveAndReorder(t *testing.T) {
	svc, _ := newService(t)
	ctx := context.Background()
	for _, n := range []string{"dev", "staging", "prod"} {
		if _, err := svc.Create(ctx, environment.Input{Name: n, Kind: environment.KindNonProduction}); err != nil {
			t.Fatal(err)
		}
	}
	order := func() string {
		envs, err := svc.List(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, e := range envs {
			names = append(names, e.Name)
		}
		return strings.Join(names, ",")
	}
	steps := []struct {
		do   func() error
		want string
	}{
		{func() error { return svc.Move(ctx, "prod", -1) }, "dev,prod,staging"},
		{func() error { return svc.Move(ctx, "dev", -5) }, "dev,prod,staging"},
		{func() error { return svc.Move(ctx, "dev", 9) }, "prod,staging,dev"},
		{func() error { return svc.Reorder(ctx, []string{"dev", "staging", "prod"}) }, "dev,staging,prod"},
	}
	for i, s := range steps {
		if err := s.do(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if got := order(); got != s.want {
			t.Errorf("step %d: got order %s, want %s", i, got, s.want)
		}
	}
	if _, ok := fault.Fields(svc.Reorder(ctx, []string{"dev", "prod"})); !ok {
		t.Errorf("reorder naming two of three environments: want field errors")
	}
}

func TestFreeze(t *testing.T) {
	svc, conn := newService(t)
	ctx := context.Background()
	if _, err := svc.Create(ctx, environment.Input{Name: "prod", Kind: environment.KindProduction}); err != nil {
		t.Fatal(err)
	}
	past := fakeNow.Add(-time.Hour)
	if _, err := svc.Freeze(ctx, "prod", environment.FreezeInput{Reason: "x", Until: &past}); err == nil {
		t.Errorf("freeze until a past time: got no error, want a field error on until")
	}
	if _, err := svc.Freeze(ctx, "prod", environment.FreezeInput{}); err == nil {
		t.Errorf("freeze without a reason: got no error, want a field error on reason")
	}
	if n := count(t, conn, "audit_log"); n != 1 {
		t.Errorf("got %d audit records after refused freezes, want 1 (the create)", n)
	}
	until := fakeNow.Add(2 * time.Hour)
	e, err := svc.Freeze(ctx, "prod", environment.FreezeInput{Reason: "holidays", Until: &until})
	if err != nil {
		t.Fatalf("freeze: %v", err)
	}
	if !e.FrozenAt(fakeNow) || e.FrozenAt(until.Add(time.Second)) {
		t.Errorf("got frozen now=%v after-until=%v, want true then false", e.FrozenAt(fakeNow), e.FrozenAt(until.Add(time.Second)))
	}
	if want := "environment frozen: holidays (until 2026-11-25 14:00 UTC)"; e.Blocker() != want {
		t.Errorf("got blocker %q, want %q", e.Blocker(), want)
	}
	stored, err := svc.Get(ctx, "prod")
	if err != nil || stored.FrozenUntil == nil || !stored.FrozenUntil.Equal(until) {
		t.Fatalf("got %+v, %v after reading back, want until %v", stored, err, until)
	}
	if e, err = svc.Unfreeze(ctx, "prod"); err != nil || e.FrozenAt(fakeNow) {
		t.Errorf("got frozen=%v err=%v after unfreeze, want open", e.FrozenAt(fakeNow), err)
	}
}

func TestParseTags(t *testing.T) {
	got := strings.Join(environment.ParseTags(" region=eu, customer-facing,,\nteam-a "), "|")
	if want := "region=eu|customer-facing|team-a"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
