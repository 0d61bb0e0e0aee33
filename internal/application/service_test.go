package application_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"ladder/db"
	"ladder/internal/application"
	"ladder/internal/environment"
	"ladder/internal/fault"
)

var fakeNow = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// newService opens a fresh database with environments dev and prod and a product "shop".
func newService(t *testing.T) (*application.Service, *sql.DB) {
	t.Helper()
	ctx := context.Background()
	conn, err := db.Open(ctx, filepath.Join(t.TempDir(), "ladder.db"))
	if err != nil {
		t.Fatalf("open db: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	check, now := fault.NewValidator(), func() time.Time { return fakeNow }
	envs := environment.NewService(conn, check, now)
	for _, n := range []string{"dev", "prod"} {
		if _, err := envs.Create(ctx, environment.Input{Name: n, Kind: environment.KindNonProduction}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := conn.Exec(`INSERT INTO products (name, created_at, updated_at) VALUES ('shop', ?, ?)`, fakeNow, fakeNow); err != nil {
		t.Fatal(err)
	}
	return application.NewService(conn, check, now), conn
}

func count(t *testing.T, conn *sql.DB, query string) int {
	t.Helper()
	var n int
	if err := conn.QueryRow(query).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func valid() application.Input {
	return application.Input{Name: "api", Environment: "dev", Product: "shop", RepoURL: "https://git.example.com/shop/deploy.git"}
}

func TestCreateRejectsInvalidInput(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(*application.Input)
		field string
	}{
		{"bad name", func(in *application.Input) { in.Name = "API" }, "name"},
		{"no environment", func(in *application.Input) { in.Environment = "" }, "environment"},
		{"unknown environment", func(in *application.Input) { in.Environment = "qa" }, "environment"},
		{"unknown product", func(in *application.Input) { in.Product = "nope" }, "product"},
		{"no repo", func(in *application.Input) { in.RepoURL = "" }, "repoURL"},
		{"ftp repo", func(in *application.Input) { in.RepoURL = "ftp://example.com/repo" }, "repoURL"},
		{"relative path repo", func(in *application.Input) { in.RepoURL = "repos/app.git" }, "repoURL"},
		{"password in repo URL", func(in *application.Input) { in.RepoURL = "https://u:secret@example.com/r.git" }, "repoURL"},
		{"relative file URL", func(in *application.Input) { in.RepoURL = "file://repos/app.git" }, "repoURL"},
		{"branch with space", func(in *application.Input) { in.Branch = "my branch" }, "branch"},
		{"branch with dots", func(in *application.Input) { in.Branch = "a..b" }, "branch"},
		{"absolute path", func(in *application.Input) { in.Path = "/apps/api" }, "path"},
		{"path escaping", func(in *application.Input) { in.Path = "../other" }, "path"},
		{"path with inner dots", func(in *application.Input) { in.Path = "apps/../x" }, "path"},
		{"argo server without app", func(in *application.Input) { in.ArgocdServer = "main" }, "argocdApp"},
		{"argo app without server", func(in *application.Input) { in.ArgocdApp = "shop-api" }, "argocdServer"},
		{"bad health URL", func(in *application.Input) { in.HealthURL = "ftp://x" }, "healthURL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc, conn := newService(t)
			in := valid()
			tt.edit(&in)
			_, err := svc.Create(context.Background(), in)
			if fe, ok := fault.Fields(err); !ok || fe[tt.field] == "" {
				t.Fatalf("got %v, want a field error on %q", err, tt.field)
			}
			if n := count(t, conn, "SELECT COUNT(*) FROM applications"); n != 0 {
				t.Errorf("got %d applications stored, want 0", n)
			}
			if n := count(t, conn, "SELECT COUNT(*) FROM audit_log WHERE entity_kind = 'application'"); n != 0 {
				t.Errorf("got %d audit records, want 0", n)
			}
		})
	}
}

func TestCreateAcceptsEveryRepoForm(t *testing.T) {
	svc, conn := newService(t)
	for i, repo := range []string{"https://git.example.com/a.git", "ssh://git@git.example.com/a.git",
		"git@github.com:acme/a.git", "file:///srv/git/a.git", "/srv/git/a.git"} {
		in := valid()
		in.Name = "app-" + string(rune('a'+i))
		in.RepoURL = repo
		a, err := svc.Create(context.Background(), in)
		if err != nil {
			t.Fatalf("repo %s: %v", repo, err)
		}
		if a.Path != "." || a.Branch != "" {
			t.Errorf("got path %q branch %q, want . and the default branch", a.Path, a.Branch)
		}
	}
	if n := count(t, conn, "SELECT COUNT(*) FROM audit_log WHERE entity_kind = 'application' AND action = 'create'"); n != 5 {
		t.Errorf("got %d audit records, want 5", n)
	}
}

func TestNamesAreUniquePerEnvironment(t *testing.T) {
	svc, _ := newService(t)
	ctx := context.Background()
	if _, err := svc.Create(ctx, valid()); err != nil {
		t.Fatal(err)
	}
	_, err := svc.Create(ctx, valid())
	if fe, ok := fault.Fields(err); !ok || fe["name"] == "" {
		t.Fatalf("same name in dev: got %v, want a field error on name", err)
	}
	prod := valid()
	prod.Environment = "prod"
	if _, err := svc.Create(ctx, prod); err != nil {
		t.Fatalf("same name in prod: got %v, want success", err)
	}
	// Moving dev/api to prod collides with prod/api.
	_, err = svc.Update(ctx, "dev", "api", prod)
	if fe, ok := fault.Fields(err); !ok || fe["name"] == "" {
		t.Errorf("move onto existing: got %v, want a field error on name", err)
	}
}

func TestUpdateDeleteAndUsers(t *testing.T) {
	svc, conn := newService(t)
	ctx := context.Background()
	if _, err := svc.Create(ctx, valid()); err != nil {
		t.Fatal(err)
	}
	in := valid()
	in.Name, in.Branch, in.Path, in.ArgocdServer, in.ArgocdApp = "web", "main", "apps/web/", "main", "shop-web"
	a, err := svc.Update(ctx, "dev", "api", in)
	if err != nil {
		t.Fatal(err)
	}
	if a.Key() != "dev/web" || a.Path != "apps/web" || a.ArgocdApp != "shop-web" {
		t.Errorf("got %+v, want dev/web at apps/web linked to shop-web", a)
	}
	users, err := svc.UsersOfProduct(ctx, "shop")
	if err != nil || !slices.Equal(users, []string{"dev/web"}) {
		t.Errorf("UsersOfProduct = %v, %v; want [dev/web]", users, err)
	}
	users, err = svc.UsersOfEnvironment(ctx, "prod")
	if err != nil || len(users) != 0 {
		t.Errorf("UsersOfEnvironment(prod) = %v, %v; want none", users, err)
	}
	if err := svc.Delete(ctx, "dev", "web"); err != nil {
		t.Fatal(err)
	}
	if err := svc.Delete(ctx, "dev", "web"); !errors.Is(err, fault.ErrNotFound) {
		t.Errorf("second delete: got %v, want ErrNotFound", err)
	}
	if n := count(t, conn, "SELECT COUNT(*) FROM audit_log WHERE entity_kind = 'application'"); n != 3 {
		t.Errorf("got %d audit records, want 3 (create, update, delete)", n)
	}
}
