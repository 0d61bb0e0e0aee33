package model_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"ladder/db"
	"ladder/internal/model"
)

// documents splits an exported model into its documents.
func documents(text string) []string {
	return strings.Split(strings.TrimSuffix(text, "\n"), "\n---\n")
}

// without is the model text without the documents naming kind and name.
func without(text string, drop ...string) string {
	var keep []string
	for _, d := range documents(text) {
		dropped := false
		for i := 0; i+1 < len(drop); i += 2 {
			if strings.Contains(d, "kind: "+drop[i]+"\n") && strings.Contains(d, "metadata: {name: "+drop[i+1]+"}") {
				dropped = true
			}
		}
		if !dropped {
			keep = append(keep, d)
		}
	}
	return strings.Join(keep, "\n---\n") + "\n"
}

// extraDocuments give the example a second policy and application, so that a file without
// one of them still has documents of their kinds.
const extraDocuments = `---
apiVersion: ladder/v1
kind: PromotionPolicy
metadata: {name: late}
spec: {priority: 1, settings: {action: commit}}
---
apiVersion: ladder/v1
kind: Application
metadata: {name: shop-prod}
spec: {environment: prod, product: shop, repoURL: "file:///srv/git/shop-prod.git", branch: main, path: chart}
`

// exampleModel is the specification's example (with extraDocuments) applied, and its export.
func exampleModel(t *testing.T) (*model.Service, string) {
	t.Helper()
	example, err := os.ReadFile("testdata/spec-example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	m := newModel(t)
	apply(t, m, string(example)+extraDocuments, false)
	return m, export(t, m)
}

func TestPruneDeletesWhatTheFileNoLongerDeclares(t *testing.T) {
	m, full := exampleModel(t)
	smaller := without(full, "PromotionPolicy", "default-commit", "Application", "shop-dev")

	// Without --prune nothing is deleted.
	if got := actions(applyWith(t, m, smaller, model.Options{})); got[model.Delete] != 0 {
		t.Fatalf("got %v, want no deletion without prune", got)
	}
	// A dry run lists the deletions and deletes nothing.
	dry := applyWith(t, m, smaller, model.Options{Prune: true, DryRun: true})
	var deleted []string
	for _, c := range dry {
		if c.Action == model.Delete {
			deleted = append(deleted, c.Kind+" "+c.Name)
		}
	}
	if want := "Application dev/shop-dev,PromotionPolicy default-commit"; strings.Join(deleted, ",") != want {
		t.Fatalf("got deletions %v, want %s (in reverse kind order)", deleted, want)
	}
	if export(t, m) != full {
		t.Fatal("a dry run changed the model")
	}
	applyWith(t, m, smaller, model.Options{Prune: true})
	if got := export(t, m); got != smaller {
		t.Errorf("got model\n%s\nwant\n%s", got, smaller)
	}

	// Kinds the file has no documents of are not pruned.
	onlyEnvs := strings.Join(documents(full)[:2], "\n---\n") + "\n"
	if got := actions(applyWith(t, m, onlyEnvs, model.Options{Prune: true})); got[model.Delete] != 0 {
		t.Errorf("got %v, want no deletion of kinds the file does not have", got)
	}
}

func TestPruneRefusesWhatAKeptEntityStillUses(t *testing.T) {
	m, full := exampleModel(t)
	// The flow (kept) still uses prod.
	_, err := m.ApplyWith(context.Background(), strings.NewReader(without(full, "Environment", "prod")), model.Options{Prune: true})
	var invalid *model.Invalid
	if !errors.As(err, &invalid) {
		t.Fatalf("got %v, want the apply refused", err)
	}
	if p := invalid.Problems[0]; p.Kind != model.KindEnvironment || p.Name != "prod" || !strings.Contains(p.Message, "flow dev-to-prod") {
		t.Errorf("got %s, want prod refused naming flow dev-to-prod", p)
	}
	if export(t, m) != full {
		t.Error("a refused prune changed the model")
	}
}

func TestPruneRefusesWhatAReleaseThatIsNotOverUses(t *testing.T) {
	m, full := exampleModel(t)
	ctx := context.Background()
	q := db.New(m.DB)
	if err := q.CreateRelease(ctx, db.CreateReleaseParams{ID: "r1", Product: "shop", Number: 1, Flow: "dev-to-prod",
		TriggerEnv: "dev", SourceApp: "shop-dev", Initiator: "test", Status: "RUNNING", Plan: "{}", CreatedAt: time.Now().UTC()}); err != nil {
		t.Fatal(err)
	}
	if err := q.CreateReleaseEnvironment(ctx, db.CreateReleaseEnvironmentParams{ReleaseID: "r1", Name: "prod", Position: 1,
		DependsOn: "[]", Settings: "{}", Status: "RUNNING", Kind: "production", Hooks: "{}"}); err != nil {
		t.Fatal(err)
	}
	if err := q.CreateReleaseApplication(ctx, db.CreateReleaseApplicationParams{ReleaseID: "r1", Environment: "prod",
		Name: "shop-prod", RepoUrl: "file:///srv/git/shop-prod.git", Phase: "action", Status: "RUNNING"}); err != nil {
		t.Fatal(err)
	}
	smaller := without(full, "Application", "shop-prod")
	_, err := m.ApplyWith(ctx, strings.NewReader(smaller), model.Options{Prune: true})
	var invalid *model.Invalid
	if !errors.As(err, &invalid) {
		t.Fatalf("got %v, want the apply refused", err)
	}
	if p := invalid.Problems[0]; p.Kind != model.KindApplication || p.Name != "prod/shop-prod" || !strings.Contains(p.Message, "release shop #1") {
		t.Errorf("got %s, want application prod/shop-prod refused naming release shop #1", p)
	}
	if export(t, m) != full {
		t.Error("a refused prune changed the model")
	}
	// Once the release is over, the same file applies.
	if err := q.SetReleaseStatus(ctx, db.SetReleaseStatusParams{ID: "r1", Status: "SUCCEEDED"}); err != nil {
		t.Fatal(err)
	}
	applyWith(t, m, smaller, model.Options{Prune: true})
	if got := export(t, m); got != smaller {
		t.Errorf("got model\n%s\nwant\n%s", got, smaller)
	}
}
