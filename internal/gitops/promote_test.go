package gitops

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
)

const devValues = `# dev values
image:
  repository: shop
  tag: "1.5.0"   # set by CI
replicas: 1
`

const prodValues = `# prod values: keep replicas
image:
  repository: shop
  tag: "1.4.0"   # promoted by Ladder
replicas: 5
`

var shopTemplate = Template{
	VersionSource: VersionSource{File: "Chart.yaml", JSONPath: "$.appVersion"},
	Entries: []Entry{
		{File: "Chart.yaml", JSONPaths: []string{"$.appVersion"}},
		{File: "values*.yaml", JSONPaths: []string{"$.image.tag"}},
	},
}

// newEnvs creates a dev repository and a prod repository for shop.
func newEnvs(t testing.TB) (dev, prod *fixtureRepo) {
	dev = newFixtureRepo(t, map[string]string{
		"chart/Chart.yaml":  "name: shop\nappVersion: 1.5.0\n",
		"chart/values.yaml": devValues,
	})
	prod = newFixtureRepo(t, map[string]string{
		"apps/shop/Chart.yaml":  "name: shop\nappVersion: 1.4.0 # prod\n",
		"apps/shop/values.yaml": prodValues,
		"README.md":             "prod\n",
	})
	return dev, prod
}

func promoteRequest(dev, prod *fixtureRepo) PromoteRequest {
	return PromoteRequest{
		Source: dev.remote(), SourceBranch: "main", SourcePath: "chart",
		Target: prod.remote(), TargetBranch: "main", TargetPath: "apps/shop",
		Template: shopTemplate, Product: "shop", Version: "1.5.0",
		ReleaseID: "r1", ReleaseNumber: 7, SourceEnv: "dev", TargetEnv: "prod",
		Author: Signature{Name: "Ladder", Email: "ladder@example.com"},
	}
}

func TestPromoteCommitsOnlyTheValues(t *testing.T) {
	dev, prod := newEnvs(t)
	store := NewStore(t.TempDir())
	ctx := context.Background()

	res, err := store.Promote(ctx, promoteRequest(dev, prod))
	if err != nil {
		t.Fatal(err)
	}
	if res.NoChanges || res.Commit == "" {
		t.Fatalf("got %+v, want a commit", res)
	}
	if head := runGit(t, prod.bare, "rev-parse", "main"); head != res.Commit {
		t.Errorf("got main at %s, want %s", head, res.Commit)
	}
	wantValues := strings.Replace(prodValues, `"1.4.0"`, `"1.5.0"`, 1)
	if got := prod.show("main", "apps/shop/values.yaml") + "\n"; got != wantValues {
		t.Errorf("got values.yaml:\n%s\nwant:\n%s", got, wantValues)
	}
	if got, want := prod.show("main", "apps/shop/Chart.yaml"), "name: shop\nappVersion: 1.5.0 # prod"; got != want {
		t.Errorf("got Chart.yaml %q, want %q", got, want)
	}
	msg := runGit(t, prod.bare, "log", "-1", "--format=%an <%ae>%n%B", "main")
	devHead := runGit(t, dev.bare, "rev-parse", "main")
	for _, want := range []string{"Ladder <ladder@example.com>", "Promote shop 1.5.0 from dev to prod", "Release: #7 (r1)", "Source: dev @ " + devHead, "Target: prod"} {
		if !strings.Contains(msg, want) {
			t.Errorf("got message %q, want it to contain %q", msg, want)
		}
	}

	// The same promotion again (a retry) finds its own commit instead of making another.
	again, err := store.Promote(ctx, promoteRequest(dev, prod))
	if err != nil {
		t.Fatal(err)
	}
	if again.NoChanges || again.Commit != res.Commit {
		t.Errorf("second run: got %+v, want the first run's commit %s", again, res.Commit)
	}
	if got := prod.count("main"); got != "2" {
		t.Errorf("got %s commits on main, want 2 (exactly one promotion commit)", got)
	}
}

func TestPromoteConcurrentPushesBothLand(t *testing.T) {
	dev, prod := newEnvs(t)
	prod.commit("add worker", map[string]string{"apps/worker/values.yaml": "image:\n  tag: \"0.1.0\"\n"})
	dev.commit("worker", map[string]string{"chart/worker.yaml": "image:\n  tag: \"0.2.0\"\n"})
	shop := promoteRequest(dev, prod)
	worker := promoteRequest(dev, prod)
	worker.TargetPath, worker.Product = "apps/worker", "worker"
	worker.Template = Template{Entries: []Entry{{File: "values.yaml", JSONPaths: []string{"$.image.tag"}}}}
	worker.SourcePath = "chart"
	worker.Values = &Values{Paths: map[string][]Located{"values.yaml": {{Path: "$['image']['tag']", Value: "0.2.0"}}}}

	// Two stores, two caches: the in-process lock cannot serialize them, so
	// one push is rejected and retried.
	var wg sync.WaitGroup
	results := make([]Result, 2)
	errs := make([]error, 2)
	for i, req := range []PromoteRequest{shop, worker} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = NewStore(t.TempDir()).Promote(context.Background(), req)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("promotion %d: %v", i, err)
		}
	}
	if got := prod.count("main"); got != "4" {
		t.Errorf("got %s commits, want 4 (both promotions landed)", got)
	}
	if got := prod.show("main", "apps/worker/values.yaml"); !strings.Contains(got, `"0.2.0"`) {
		t.Errorf("got worker values %q, want tag 0.2.0", got)
	}
	if got := prod.show("main", "apps/shop/values.yaml"); !strings.Contains(got, `"1.5.0"`) {
		t.Errorf("got shop values %q, want tag 1.5.0", got)
	}
	t.Logf("attempts: %d and %d", results[0].Attempts, results[1].Attempts)
}

func TestPromoteRetriesWhenBranchMoved(t *testing.T) {
	dev, prod := newEnvs(t)
	store := NewStore(t.TempDir())
	moved := 0
	store.beforePush = func() {
		// Someone else pushes between our fetch and our push, twice.
		if moved < 2 {
			moved++
			prod.commit("someone else", map[string]string{"README.md": strings.Repeat("x", moved) + "\n"})
		}
	}
	res, err := store.Promote(context.Background(), promoteRequest(dev, prod))
	if err != nil {
		t.Fatal(err)
	}
	if res.Attempts != 3 || res.Commit == "" {
		t.Errorf("got %d attempts and commit %q, want 3 attempts and a commit", res.Attempts, res.Commit)
	}
	if got := prod.show("main", "README.md"); got != "xx" {
		t.Errorf("got README %q, want the other commits kept", got)
	}
	if got := prod.count("main"); got != "4" {
		t.Errorf("got %s commits, want 4", got)
	}
}

func TestPreviewDiff(t *testing.T) {
	dev, prod := newEnvs(t)
	res, err := NewStore(t.TempDir()).Preview(context.Background(), promoteRequest(dev, prod))
	if err != nil {
		t.Fatal(err)
	}
	got, err := Diff(res.Changes)
	if err != nil {
		t.Fatal(err)
	}
	want := `diff --git a/apps/shop/Chart.yaml b/apps/shop/Chart.yaml
--- a/apps/shop/Chart.yaml
+++ b/apps/shop/Chart.yaml
@@ -1,2 +1,2 @@
 name: shop
-appVersion: 1.4.0 # prod
+appVersion: 1.5.0 # prod
diff --git a/apps/shop/values.yaml b/apps/shop/values.yaml
--- a/apps/shop/values.yaml
+++ b/apps/shop/values.yaml
@@ -1,5 +1,5 @@
 # prod values: keep replicas
 image:
   repository: shop
-  tag: "1.4.0"   # promoted by Ladder
+  tag: "1.5.0"   # promoted by Ladder
 replicas: 5
`
	if got != want {
		t.Errorf("got diff:\n%s\nwant:\n%s", got, want)
	}
	if got := prod.count("main"); got != "1" {
		t.Errorf("preview made commits: got %s, want 1", got)
	}
}

func TestPromoteErrors(t *testing.T) {
	dev, prod := newEnvs(t)
	tests := []struct {
		name string
		edit func(*PromoteRequest)
		want error
	}{
		{"path matches nothing in source", func(r *PromoteRequest) {
			r.Template.Entries = []Entry{{File: "values.yaml", JSONPaths: []string{"$.image.digest"}}}
		}, ErrPathNotFound},
		{"file missing in target", func(r *PromoteRequest) {
			r.TargetPath = "apps/none"
		}, ErrFileNotFound},
		{"unknown branch", func(r *PromoteRequest) { r.TargetBranch = "nope" }, ErrBranchNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := promoteRequest(dev, prod)
			tt.edit(&req)
			_, err := NewStore(t.TempDir()).Promote(context.Background(), req)
			if !errors.Is(err, tt.want) {
				t.Errorf("got %v, want %v", err, tt.want)
			}
		})
	}
	if got := prod.count("main"); got != "1" {
		t.Errorf("got %s commits, want 1", got)
	}
}

// TestPreviewPatchIsTheCommitsPatch: the patch a preview computes is, byte for byte, the patch
// of the commit Promote then makes, and the preview itself writes nothing.
func TestPreviewPatchIsTheCommitsPatch(t *testing.T) {
	dev, prod := newEnvs(t)
	store := NewStore(t.TempDir())
	ctx := context.Background()
	req := promoteRequest(dev, prod)
	pre, err := store.Preview(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	want, err := Patch(pre.Changes)
	if err != nil {
		t.Fatal(err)
	}
	if got := prod.count("main"); got != "1" {
		t.Fatalf("the preview made commits: got %s, want 1", got)
	}
	res, err := store.Promote(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if res.Commit == "" || pre.Base == "" || pre.Branch != "main" {
		t.Fatalf("got commit %q, preview base %q on %q; want a commit on main", res.Commit, pre.Base, pre.Branch)
	}
	g, err := git.PlainOpen(prod.bare)
	if err != nil {
		t.Fatal(err)
	}
	c, err := g.CommitObject(plumbing.NewHash(res.Commit))
	if err != nil {
		t.Fatal(err)
	}
	parent, err := c.Parent(0)
	if err != nil {
		t.Fatal(err)
	}
	if parent.Hash.String() != pre.Base {
		t.Errorf("the commit's parent is %s, want the preview's base %s", parent.Hash, pre.Base)
	}
	p, err := parent.Patch(c)
	if err != nil {
		t.Fatal(err)
	}
	if got := p.String(); got != want {
		t.Errorf("the commit's patch differs from the preview's:\ncommit:\n%s\npreview:\n%s", got, want)
	}
}
