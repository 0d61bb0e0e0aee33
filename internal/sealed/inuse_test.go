package sealed_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ladder/db"
	"ladder/internal/application"
	"ladder/internal/argocd"
	"ladder/internal/argowf"
	"ladder/internal/credential"
	"ladder/internal/environment"
	"ladder/internal/fault"
	"ladder/internal/product"
	"ladder/internal/secret"
	"ladder/internal/workflow"
)

// TestARecordInUseKeepsItsNameAndStays: an Argo CD server an application uses, an Argo
// Workflows server a workflow's argo step uses and the Git credential the model repository
// reads with can be neither deleted nor renamed (a rename would leave them pointing at
// nothing): the delete is a conflict naming the user, the rename an error next to the name,
// and both leave the record as it was. Once unused, both work.
func TestARecordInUseKeepsItsNameAndStays(t *testing.T) {
	ctx := context.Background()
	conn, err := db.Open(ctx, filepath.Join(t.TempDir(), "ladder.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	box, err := secret.NewBox([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	check := fault.NewValidator()
	cd, wf := argocd.NewService(conn, box, check, time.Now), argowf.NewService(conn, box, check, time.Now)
	creds := credential.NewService(conn, box, check, time.Now)
	forge := credential.Input{Name: "forge", URLPrefix: "https://git.example.com/", Kind: "https", Username: "bot", Token: "forge-token"}
	if _, err := creds.Create(ctx, forge); err != nil {
		t.Fatal(err)
	}
	q := db.New(conn)
	if err := q.SetModelRepository(ctx, db.SetModelRepositoryParams{Url: "https://git.example.com/model.git", Branch: "main",
		Credential: "forge", UpdatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if _, err := cd.Create(ctx, argocd.Input{Name: "prod", URL: "https://argocd.example.com", Token: "argo-cd-token"}); err != nil {
		t.Fatal(err)
	}
	if _, err := wf.Create(ctx, argowf.Input{Name: "ci", URL: "https://argo.example.com", Namespace: "ci", Token: "argo-wf-token"}); err != nil {
		t.Fatal(err)
	}
	if _, err := environment.NewService(conn, check, time.Now).Create(ctx, environment.Input{Name: "prod", Kind: "production"}); err != nil {
		t.Fatal(err)
	}
	tmpl := product.Template{VersionSource: product.VersionSource{File: "Chart.yaml", JSONPath: "$.appVersion"},
		Promotion: []product.Entry{{File: "Chart.yaml", JSONPaths: []string{"$.appVersion"}}}}
	if _, err := product.NewService(conn, check, time.Now).Create(ctx, product.Input{Name: "shop", Concurrency: "queue", QueueLimit: 10, Template: tmpl}); err != nil {
		t.Fatal(err)
	}
	apps := application.NewService(conn, check, time.Now)
	if _, err := apps.Create(ctx, application.Input{Name: "shop-prod", Environment: "prod", Product: "shop",
		RepoURL: "https://git.example.com/shop-deploy.git", Branch: "main", ArgocdServer: "prod", ArgocdApp: "shop"}); err != nil {
		t.Fatal(err)
	}
	flows := workflow.NewService(conn, check, time.Now)
	if _, err := flows.Create(ctx, workflow.Input{Name: "e2e", Timeout: "30m", Steps: []workflow.Step{
		{Name: "suite", Kind: "argo", Argo: &workflow.ArgoStep{Server: "ci", Template: "e2e-suite"}}}}); err != nil {
		t.Fatal(err)
	}

	for _, tt := range []struct {
		name, user string
		delete     func() error
		rename     func() error
	}{
		{"argo cd server", "application prod/shop-prod",
			func() error { return cd.Delete(ctx, "prod") },
			func() error {
				_, err := cd.Update(ctx, "prod", argocd.Input{Name: "prod-eu", URL: "https://argocd.example.com"})
				return err
			}},
		{"argo workflows server", "workflow e2e",
			func() error { return wf.Delete(ctx, "ci") },
			func() error {
				_, err := wf.Update(ctx, "ci", argowf.Input{Name: "ci-eu", URL: "https://argo.example.com", Namespace: "ci"})
				return err
			}},
		{"git credential", "the model repository",
			func() error { return creds.Delete(ctx, "forge") },
			func() error {
				renamed := forge
				renamed.Name, renamed.Token = "forge-eu", ""
				_, err := creds.Update(ctx, "forge", renamed)
				return err
			}},
	} {
		err := tt.delete()
		if !errors.Is(err, fault.ErrConflict) || !strings.Contains(err.Error(), "used by "+tt.user) {
			t.Errorf("%s: delete while in use: got %v, want a conflict naming %s", tt.name, err, tt.user)
		}
		err = tt.rename()
		fe, ok := fault.Fields(err)
		if !ok || !strings.Contains(fe["name"], "used by "+tt.user) || !strings.Contains(fe["name"], "keeps its name") {
			t.Errorf("%s: rename while in use: got %v, want an error next to the name naming %s", tt.name, err, tt.user)
		}
	}
	if _, err := cd.Get(ctx, "prod"); err != nil {
		t.Errorf("after the refusals the argo cd server is gone: %v", err)
	}
	if _, err := wf.Get(ctx, "ci"); err != nil {
		t.Errorf("after the refusals the argo workflows server is gone: %v", err)
	}
	if _, err := creds.Get(ctx, "forge"); err != nil {
		t.Errorf("after the refusals the git credential is gone: %v", err)
	}

	// Unused, both rename and delete.
	if err := apps.Delete(ctx, "prod", "shop-prod"); err != nil {
		t.Fatal(err)
	}
	if err := flows.Delete(ctx, "e2e"); err != nil {
		t.Fatal(err)
	}
	if _, err := cd.Update(ctx, "prod", argocd.Input{Name: "prod-eu", URL: "https://argocd.example.com"}); err != nil {
		t.Errorf("renaming the unused argo cd server: %v", err)
	}
	if _, err := wf.Update(ctx, "ci", argowf.Input{Name: "ci-eu", URL: "https://argo.example.com", Namespace: "ci"}); err != nil {
		t.Errorf("renaming the unused argo workflows server: %v", err)
	}
	if err := cd.Delete(ctx, "prod-eu"); err != nil {
		t.Errorf("deleting the unused argo cd server: %v", err)
	}
	if err := wf.Delete(ctx, "ci-eu"); err != nil {
		t.Errorf("deleting the unused argo workflows server: %v", err)
	}
	if err := q.SetModelRepository(ctx, db.SetModelRepositoryParams{Url: "https://git.example.com/model.git", Branch: "main",
		UpdatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	renamed := forge
	renamed.Name, renamed.Token = "forge-eu", ""
	if _, err := creds.Update(ctx, "forge", renamed); err != nil {
		t.Errorf("renaming the unused git credential: %v", err)
	}
	if err := creds.Delete(ctx, "forge-eu"); err != nil {
		t.Errorf("deleting the unused git credential: %v", err)
	}
}
