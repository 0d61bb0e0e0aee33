package user_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"ladder/db"
	"ladder/internal/audit"
	"ladder/internal/fault"
	"ladder/internal/user"
)

func TestBootstrapGeneratesPasswordOnce(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	pw, err := s.Bootstrap(ctx, "")
	if err != nil || len(pw) < 20 {
		t.Fatalf("Bootstrap = %q, %v; want a long password", pw, err)
	}
	again, err := s.Bootstrap(ctx, "")
	if err != nil || again != "" {
		t.Fatalf("second Bootstrap = %q, %v; want nothing", again, err)
	}
	admin, err := s.CheckPassword(ctx, user.LocalAdmin, pw)
	if err != nil {
		t.Fatal(err)
	}
	if !admin.MustChangePassword || admin.Role() != user.Admin || !admin.Local {
		t.Errorf("got %+v, want a local admin who must change the password", admin)
	}
	if _, err := s.CheckPassword(ctx, user.LocalAdmin, "wrong"); !errors.Is(err, fault.ErrUnauthenticated) {
		t.Errorf("wrong password: got %v, want ErrUnauthenticated", err)
	}
	if _, err := s.CheckPassword(ctx, "nobody", pw); !errors.Is(err, fault.ErrUnauthenticated) {
		t.Errorf("unknown user: got %v, want ErrUnauthenticated", err)
	}
}

func TestBootstrapWithChosenPassword(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	pw, err := s.Bootstrap(ctx, "chosen-by-operator")
	if err != nil || pw != "" {
		t.Fatalf("Bootstrap = %q, %v; want no generated password", pw, err)
	}
	admin, err := s.CheckPassword(ctx, user.LocalAdmin, "chosen-by-operator")
	if err != nil || admin.MustChangePassword {
		t.Fatalf("got %+v, %v; want an admin free to go", admin, err)
	}
}

func TestChangePassword(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	pw, _ := s.Bootstrap(ctx, "")
	admin, _ := s.GetByName(ctx, user.LocalAdmin)
	tests := []struct {
		name  string
		in    user.PasswordChange
		field string
	}{
		{"too short", user.PasswordChange{Current: pw, New: "short", Confirm: "short"}, "new"},
		{"mismatch", user.PasswordChange{Current: pw, New: "a-long-new-password", Confirm: "another-one-entirely"}, "confirm"},
		{"same as before", user.PasswordChange{Current: pw, New: pw, Confirm: pw}, "new"},
		{"wrong current", user.PasswordChange{Current: "nope", New: "a-long-new-password", Confirm: "a-long-new-password"}, "current"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fe, ok := fault.Fields(s.ChangePassword(ctx, admin.ID, tt.in))
			if !ok || fe[tt.field] == "" {
				t.Errorf("got %v, want an error on %s", fe, tt.field)
			}
		})
	}
	in := user.PasswordChange{Current: pw, New: "a-long-new-password", Confirm: "a-long-new-password"}
	if err := s.ChangePassword(ctx, admin.ID, in); err != nil {
		t.Fatal(err)
	}
	got, err := s.CheckPassword(ctx, user.LocalAdmin, in.New)
	if err != nil || got.MustChangePassword {
		t.Errorf("after change: got %+v, %v; want signed in without forced change", got, err)
	}
}

func TestSignInCreatesThenRefreshes(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	first, err := s.SignIn(ctx, user.Identity{Subject: "iss|7", Username: "kim", Email: "kim@example.com", Groups: []string{"dev"}})
	if err != nil {
		t.Fatal(err)
	}
	if first.Name != "kim" || first.Role() != user.Promoter {
		t.Errorf("got %s as %s, want kim as promoter", first.Name, first.Role())
	}
	again, err := s.SignIn(ctx, user.Identity{Subject: "iss|7", Username: "kim", Groups: []string{"ops"}})
	if err != nil || again.ID != first.ID || again.Role() != user.Admin {
		t.Errorf("got %+v, %v; want the same user, now admin", again, err)
	}
	clash, err := s.SignIn(ctx, user.Identity{Subject: "iss|8", Username: "kim", Email: "other@example.com"})
	if err != nil || clash.Name != "other@example.com" || clash.Role() != user.Viewer {
		t.Errorf("got %+v, %v; want other@example.com as viewer", clash, err)
	}
	if err := s.SetRole(ctx, "other@example.com", user.Promoter); err != nil {
		t.Fatal(err)
	}
	if u, _ := s.GetByName(ctx, "other@example.com"); u.Role() != user.Promoter {
		t.Errorf("after override: got %s, want promoter", u.Role())
	}
}

func TestDisableLocalAdminNeedsSingleSignOnAdmin(t *testing.T) {
	ctx := audit.WithActor(context.Background(), "someone")
	s := newService(t)
	if _, err := s.Bootstrap(ctx, "chosen-by-operator"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetDisabled(ctx, user.LocalAdmin, true); !errors.Is(err, fault.ErrConflict) {
		t.Fatalf("without an SSO admin: got %v, want ErrConflict", err)
	}
	if _, err := s.SignIn(ctx, user.Identity{Subject: "iss|1", Username: "ada", Groups: []string{"ops"}}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetDisabled(ctx, user.LocalAdmin, true); err != nil {
		t.Fatalf("with an SSO admin: got %v, want success", err)
	}
	if _, err := s.CheckPassword(ctx, user.LocalAdmin, "chosen-by-operator"); !errors.Is(err, fault.ErrUnauthenticated) {
		t.Errorf("disabled admin signs in: got %v, want ErrUnauthenticated", err)
	}
	if err := s.SetDisabled(audit.WithActor(ctx, "ada"), "ada", true); !errors.Is(err, fault.ErrConflict) {
		t.Errorf("disable yourself: got %v, want ErrConflict", err)
	}
}

// TestGetSeesEveryChange reads a user again and again while changing them: Get remembers its
// answers, and must never answer from before a change.
func TestGetSeesEveryChange(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	u, err := s.SignIn(ctx, user.Identity{Subject: "iss|9", Username: "lee", Groups: []string{"dev"}})
	if err != nil {
		t.Fatal(err)
	}
	get := func() user.User {
		t.Helper()
		got, err := s.Get(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	if get().Role() != user.Promoter || get().Disabled {
		t.Fatal("want an enabled promoter first")
	}
	if err := s.SetRole(ctx, "lee", user.Viewer); err != nil {
		t.Fatal(err)
	}
	if r := get().Role(); r != user.Viewer {
		t.Errorf("after SetRole: %s, want viewer", r)
	}
	if err := s.SetDisabled(ctx, "lee", true); err != nil {
		t.Fatal(err)
	}
	if !get().Disabled {
		t.Error("after SetDisabled: still enabled")
	}
	got := get()
	got.Groups[0] = "changed by a caller"
	if get().Groups[0] != "dev" {
		t.Error("a caller's change to the groups reached the next caller")
	}
}

func TestGetKeepsAUserWhileOnlyOtherTablesAreWritten(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "ladder.db")
	conn, err := db.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	// Another process's writes (the command-line tools): this pool's versions do not see them,
	// so what Get answers shows whether it read the user again.
	other, err := db.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close() })
	now := func() time.Time { return time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC) }
	s := user.NewService(conn, fault.NewValidator(), now, user.GroupRoles{})
	pw, err := s.Bootstrap(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	admin, err := s.CheckPassword(ctx, user.LocalAdmin, pw)
	if err != nil {
		t.Fatal(err)
	}
	email := func() string {
		t.Helper()
		u, err := s.Get(ctx, admin.ID)
		if err != nil {
			t.Fatal(err)
		}
		return u.Email
	}
	email() // kept from here
	if _, err := other.ExecContext(ctx, "UPDATE users SET email = 'ops@example.com' WHERE id = ?", admin.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, `INSERT INTO environments (name, kind, tags, position, created_at, updated_at)
		VALUES ('dev', 'non-production', '[]', 0, 0, 0)`); err != nil {
		t.Fatal(err)
	}
	if got := email(); got != "" {
		t.Errorf("after a write to environments: Get read the user again (email %q)", got)
	}
	if _, err := conn.ExecContext(ctx, "UPDATE users SET updated_at = updated_at WHERE id = ?", admin.ID); err != nil {
		t.Fatal(err)
	}
	if got := email(); got != "ops@example.com" {
		t.Errorf("after a write to users: got email %q, want the user read again", got)
	}
}
