package product_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ladder/db"
	"ladder/internal/fault"
	"ladder/internal/product"
)

var fakeNow = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// newService opens a fresh database holding the flows "standard" and "hotfix".
func newService(t *testing.T) (*product.Service, *sql.DB) {
	t.Helper()
	conn, err := db.Open(context.Background(), filepath.Join(t.TempDir(), "ladder.db"))
	if err != nil {
		t.Fatalf("open db: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	for _, f := range []string{"standard", "hotfix"} {
		if _, err := conn.Exec(`INSERT INTO flows (name, trigger_environment, created_at, updated_at) VALUES (?, 'dev', ?, ?)`,
			f, fakeNow, fakeNow); err != nil {
			t.Fatalf("insert flow: %v", err)
		}
	}
	return product.NewService(conn, fault.NewValidator(), func() time.Time { return fakeNow }), conn
}

func count(t *testing.T, conn *sql.DB, query string) int {
	t.Helper()
	var n int
	if err := conn.QueryRow(query).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func valid() product.Input {
	return product.Input{
		Name: "shop", Tags: []string{"team=web"}, Concurrency: product.ConcurrencyQueue, QueueLimit: 50,
		Template: product.Template{
			VersionSource: product.VersionSource{File: "Chart.yaml", JSONPath: "$.appVersion"},
			Promotion: []product.Entry{
				{File: "values.yaml", JSONPaths: []string{"$.image.tag"}},
				{File: "values-*.yaml", JSONPaths: []string{"$..image", "$['my-key']", "$.deps[?@.name=='redis'].version"}},
			},
		},
		Flows: []product.FlowRef{
			{Flow: "hotfix", TriggerSelectors: []product.Selector{{Key: "commitMessage", Operator: "In", Values: []string{"hotfix:*"}}}},
			{Flow: "standard"},
		},
	}
}

func TestCreateRejectsInvalidInput(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(*product.Input)
		field string
	}{
		{"bad name", func(in *product.Input) { in.Name = "Shop!" }, "name"},
		{"bad tag", func(in *product.Input) { in.Tags = []string{"=x"} }, "tags"},
		{"unknown concurrency", func(in *product.Input) { in.Concurrency = "parallel" }, "concurrency"},
		{"queue limit zero", func(in *product.Input) { in.QueueLimit = 0 }, "queueLimit"},
		{"version file without path", func(in *product.Input) { in.Template.VersionSource.JSONPath = "" }, "versionSource.jsonPath"},
		{"version path without file", func(in *product.Input) { in.Template.VersionSource.File = "" }, "versionSource.file"},
		{"version path not RFC 9535", func(in *product.Input) { in.Template.VersionSource.JSONPath = "appVersion" }, "versionSource.jsonPath"},
		{"version file is a glob", func(in *product.Input) { in.Template.VersionSource.File = "*.yaml" }, "versionSource.file"},
		{"entry without file", func(in *product.Input) { in.Template.Promotion[1].File = "" }, "promotion.1.file"},
		{"entry escaping the app", func(in *product.Input) { in.Template.Promotion[0].File = "../values.yaml" }, "promotion.0.file"},
		{"entry absolute", func(in *product.Input) { in.Template.Promotion[0].File = "/values.yaml" }, "promotion.0.file"},
		{"entry bad glob", func(in *product.Input) { in.Template.Promotion[1].File = "values-[.yaml" }, "promotion.1.file"},
		{"entry without paths", func(in *product.Input) { in.Template.Promotion[1].JSONPaths = nil }, "promotion.1.jsonPaths"},
		{"entry bad path", func(in *product.Input) { in.Template.Promotion[1].JSONPaths[2] = "$.deps[?@.name=='redis'" }, "promotion.1.jsonPaths"},
		{"entry dotted path without $", func(in *product.Input) { in.Template.Promotion[0].JSONPaths[0] = ".image.tag" }, "promotion.0.jsonPaths"},
		{"unknown flow", func(in *product.Input) { in.Flows[1].Flow = "nightly" }, "flows.1.flow"},
		{"flow twice", func(in *product.Input) { in.Flows[1].Flow = "hotfix" }, "flows.1.flow"},
		{"selector bad key", func(in *product.Input) { in.Flows[0].TriggerSelectors[0].Key = "author" }, "flows.0.triggerSelectors.0.key"},
		{"selector bad operator", func(in *product.Input) { in.Flows[0].TriggerSelectors[0].Operator = "Equals" }, "flows.0.triggerSelectors.0.operator"},
		{"selector without values", func(in *product.Input) { in.Flows[0].TriggerSelectors[0].Values = nil }, "flows.0.triggerSelectors.0.values"},
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
			if n := count(t, conn, "SELECT COUNT(*) FROM products") + count(t, conn, "SELECT COUNT(*) FROM audit_log"); n != 0 {
				t.Errorf("got %d rows stored, want 0", n)
			}
		})
	}
}

func TestJSONPathWithoutDollarSuggestsTheFix(t *testing.T) {
	svc, _ := newService(t)
	in := valid()
	in.Template.Promotion[0].JSONPaths[0] = "image.tag"
	_, err := svc.Create(context.Background(), in)
	fe, _ := fault.Fields(err)
	if want := "did you mean $.image.tag?"; !strings.Contains(fe["promotion.0.jsonPaths"], want) {
		t.Errorf("got %q, want it to contain %q", fe["promotion.0.jsonPaths"], want)
	}
}

func TestCreateStoresSettingsAsGiven(t *testing.T) {
	svc, conn := newService(t)
	ctx := context.Background()
	if _, err := svc.Create(ctx, valid()); err != nil {
		t.Fatal(err)
	}
	p, err := svc.Get(ctx, "shop")
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Template.Promotion) != 2 || p.Template.Promotion[1].JSONPaths[2] != "$.deps[?@.name=='redis'].version" {
		t.Errorf("got promotion %+v, want the two entries as given", p.Template.Promotion)
	}
	if len(p.Flows) != 2 || p.Flows[0].Flow != "hotfix" || p.Flows[0].TriggerSelectors[0].Values[0] != "hotfix:*" {
		t.Errorf("got flows %+v, want hotfix (with its selector) then standard", p.Flows)
	}
	if n := count(t, conn, "SELECT COUNT(*) FROM audit_log WHERE entity_kind = 'product' AND action = 'create'"); n != 1 {
		t.Errorf("got %d audit records, want 1", n)
	}
	_, err = svc.Create(ctx, valid())
	if fe, ok := fault.Fields(err); !ok || fe["name"] == "" {
		t.Errorf("duplicate name: got %v, want a field error on name", err)
	}
	mode, limit, err := svc.Concurrency(ctx, "shop")
	if err != nil || mode != p.Concurrency || limit != p.QueueLimit {
		t.Errorf("Concurrency(shop) = %q, %d, %v; want %q, %d as Get reads them", mode, limit, err, p.Concurrency, p.QueueLimit)
	}
	if _, _, err := svc.Concurrency(ctx, "nope"); !errors.Is(err, fault.ErrNotFound) {
		t.Errorf("Concurrency(nope): got %v, want ErrNotFound", err)
	}
	users, err := svc.UsersOfFlow(ctx, "hotfix")
	if err != nil || len(users) != 1 || users[0] != "shop" {
		t.Errorf("UsersOfFlow(hotfix) = %v, %v; want [shop]", users, err)
	}
}

func TestDeleteRefusedWhileApplicationsUseIt(t *testing.T) {
	svc, conn := newService(t)
	ctx := context.Background()
	p, err := svc.Create(ctx, valid())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(`INSERT INTO environments (name, kind, position, created_at, updated_at) VALUES ('dev', 'non-production', 1, ?, ?)`, fakeNow, fakeNow); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(`INSERT INTO applications (name, environment_id, product_id, repo_url, created_at, updated_at)
		VALUES ('api', (SELECT id FROM environments WHERE name = 'dev'), ?, '/srv/git/a.git', ?, ?)`, p.ID, fakeNow, fakeNow); err != nil {
		t.Fatal(err)
	}
	err = svc.Delete(ctx, "shop")
	if !errors.Is(err, fault.ErrConflict) || !strings.Contains(err.Error(), "dev/api") {
		t.Fatalf("got %v, want a conflict naming dev/api", err)
	}
	if _, err := conn.Exec(`DELETE FROM applications`); err != nil {
		t.Fatal(err)
	}
	if err := svc.Delete(ctx, "shop"); err != nil {
		t.Fatalf("delete unused product: %v", err)
	}
	if _, err := svc.Get(ctx, "shop"); !errors.Is(err, fault.ErrNotFound) {
		t.Errorf("get after delete: got %v, want ErrNotFound", err)
	}
}
