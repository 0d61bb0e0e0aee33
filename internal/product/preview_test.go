package product_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"ladder/internal/application"
	"ladder/internal/gitops"
	"ladder/internal/product"
)

// bareRepo commits files on branch main of a new bare repository in a temp dir and returns
// its file:// URL.
func bareRepo(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	work, bare := filepath.Join(dir, "work"), filepath.Join(dir, "deploy.git")
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = work
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=Test", "GIT_AUTHOR_EMAIL=t@example.com",
			"GIT_COMMITTER_NAME=Test", "GIT_COMMITTER_EMAIL=t@example.com", "GIT_CONFIG_GLOBAL=/dev/null")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	for name, content := range files {
		p := filepath.Join(work, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	git("init", "-q", "-b", "main")
	git("add", ".")
	git("commit", "-q", "-m", "initial")
	git("clone", "-q", "--bare", work, bare)
	return "file://" + bare
}

const chart = "apiVersion: v2\nname: shop\nversion: 0.3.0\nappVersion: \"1.4.2\"\n"

const values = `# shop values
image:
  repository: registry.example.com/shop
  tag: "1.4.2"
replicas: 2
deps:
  - name: redis
    version: 7.2.4
  - name: postgres
    version: "16.1"
`

func newPreviewer(t *testing.T) *product.Previewer {
	t.Helper()
	anonymous := func(_ context.Context, url string) (gitops.Remote, error) { return gitops.Remote{URL: url}, nil }
	return product.NewPreviewer(gitops.NewStore(t.TempDir()), anonymous)
}

func TestPreviewReadsRealRepository(t *testing.T) {
	url := bareRepo(t, map[string]string{"apps/shop/Chart.yaml": chart, "apps/shop/values.yaml": values})
	app := application.Application{Name: "shop", Environment: "dev", RepoURL: url, Path: "apps/shop"}
	tmpl := product.Template{
		VersionSource: product.VersionSource{File: "Chart.yaml", JSONPath: "$.appVersion"},
		Promotion: []product.Entry{
			{File: "values.yaml", JSONPaths: []string{"$.image.tag", "$.deps[?@.name=='redis'].version", "$.nothing.here"}},
			{File: "missing.yaml", JSONPaths: []string{"$.a"}},
			{File: "C*.yaml", JSONPaths: []string{"$.appVersion"}},
			{File: "values.yaml", JSONPaths: []string{"$.image[", "$.image.tag"}},
		},
	}
	pv, err := newPreviewer(t).Preview(context.Background(), tmpl, app)
	if err != nil {
		t.Fatal(err)
	}
	if pv.Err != "" || len(pv.Commit) != 40 {
		t.Fatalf("got repository error %q, commit %q; want a commit and no error", pv.Err, pv.Commit)
	}
	if pv.Version.Value != "1.4.2" || pv.Version.Err != "" {
		t.Errorf("got version %+v, want 1.4.2", pv.Version)
	}
	paths := pv.Entries[0].Paths
	tests := []struct {
		name, got, wantValue, gotErr, wantErr string
	}{
		{"image tag", first(paths[0]), "1.4.2", paths[0].Err, ""},
		{"filter", first(paths[1]), "7.2.4", paths[1].Err, ""},
		{"path matching nothing", first(paths[2]), "", paths[2].Err, "path matches nothing"},
		{"missing file", first(pv.Entries[1].Paths[0]), "", pv.Entries[1].Paths[0].Err, "file missing"},
		{"glob", first(pv.Entries[2].Paths[0]), "1.4.2", pv.Entries[2].Paths[0].Err, ""},
		{"JSONPath syntax error", first(pv.Entries[3].Paths[0]), "", pv.Entries[3].Paths[0].Err, "JSONPath syntax error"},
		{"next to a syntax error", first(pv.Entries[3].Paths[1]), "1.4.2", pv.Entries[3].Paths[1].Err, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.wantValue || !strings.Contains(tt.gotErr, tt.wantErr) || (tt.wantErr == "" && tt.gotErr != "") {
				t.Errorf("got value %q error %q, want value %q error containing %q", tt.got, tt.gotErr, tt.wantValue, tt.wantErr)
			}
		})
	}
}

func TestPreviewRepositoryProblems(t *testing.T) {
	url := bareRepo(t, map[string]string{"Chart.yaml": chart})
	tmpl := product.Template{VersionSource: product.VersionSource{File: "Chart.yaml", JSONPath: "$.appVersion"}}
	tests := []struct {
		name string
		app  application.Application
		want string
	}{
		{"unreachable", application.Application{RepoURL: "file://" + filepath.Join(t.TempDir(), "nothing.git"), Path: "."}, "repository unreachable"},
		{"no such branch", application.Application{RepoURL: url, Branch: "release", Path: "."}, `branch "release" not found`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pv, err := newPreviewer(t).Preview(context.Background(), tmpl, tt.app)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(pv.Err, tt.want) {
				t.Errorf("got error %q, want one containing %q", pv.Err, tt.want)
			}
		})
	}
}

func TestPreviewWholeFiles(t *testing.T) {
	url := bareRepo(t, map[string]string{"Chart.yaml": chart, "values.yaml": values})
	pv, err := newPreviewer(t).Preview(context.Background(), product.Template{}, application.Application{RepoURL: url, Path: "."})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(pv.Files, ",") != "Chart.yaml,values.yaml" || pv.Err != "" {
		t.Errorf("got files %v (error %q), want Chart.yaml and values.yaml", pv.Files, pv.Err)
	}
}

func first(p product.PathPreview) string {
	if len(p.Values) == 0 {
		return ""
	}
	return p.Values[0].Value
}
