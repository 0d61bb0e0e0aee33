package app_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"ladder/db"
	"ladder/internal/app"
	"ladder/internal/application"
	"ladder/internal/broker"
	"ladder/internal/environment"
	"ladder/internal/fault"
	"ladder/internal/policy"
	"ladder/internal/product"
	"ladder/internal/release"
)

// ladder is one Ladder started in-process on a free port.
type ladder struct {
	URL     string
	DataDir string
	token   string // a promoter API token
}

// startLadder starts Ladder on dataDir and stops it when t ends.
func startLadder(t *testing.T, dataDir string, configure ...func(*app.Config)) *ladder {
	t.Helper()
	cfg := app.Config{Listen: "127.0.0.1:0", DataDir: dataDir, LogLevel: "error", LogFormat: "text",
		AdminPassword: "app-test-admin-password"}
	for _, c := range configure {
		c(&cfg)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var logs lockedBuffer
	srv, err := app.Start(ctx, cfg, &logs)
	if err != nil {
		cancel()
		t.Fatalf("start ladder: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		if err := srv.Wait(); err != nil {
			t.Errorf("ladder stopped with: %v", err)
		}
		if t.Failed() {
			t.Logf("server log:\n%s", logs.String())
		}
	})
	l := &ladder{URL: "http://" + srv.Addr(), DataDir: dataDir}
	l.token = runLadder(t, "token", "create", "--name", "test-"+filepath.Base(dataDir), "--role", "promoter", "--data", dataDir)
	return l
}

// runLadder runs a ladder command line and returns what it printed.
func runLadder(t *testing.T, args ...string) string {
	t.Helper()
	var out bytes.Buffer
	if err := app.Run(context.Background(), append([]string{"ladder"}, args...), func(string) string { return "" }, &out); err != nil {
		t.Fatalf("ladder %s: %v", strings.Join(args, " "), err)
	}
	return strings.TrimSpace(out.String())
}

// do sends a request with the promoter token and returns the answer's status and body.
func (l *ladder) do(t *testing.T, method, path string, form url.Values) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, l.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+l.token)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

// promote starts a promotion of shop from dev to prod and returns the release's ID.
func (l *ladder) promote(t *testing.T) string {
	t.Helper()
	resp, body := l.do(t, http.MethodPost, "/releases", url.Values{"mode": {"promote"}, "product": {"shop"}, "from": {"dev"}, "to": {"prod"}})
	id, ok := strings.CutPrefix(resp.Header.Get("Location"), "/releases/")
	if resp.StatusCode != http.StatusSeeOther || !ok {
		t.Fatalf("start release: got %d (Location %q), want 303 to the release\n%s", resp.StatusCode, resp.Header.Get("Location"), body)
	}
	return id
}

// waitForStatus waits until release id has status, reading the server's database.
func (l *ladder) waitForStatus(t *testing.T, id, status string) {
	t.Helper()
	conn, err := db.Open(context.Background(), filepath.Join(l.DataDir, "ladder.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	releases := release.NewService(conn, broker.New(), time.Now)
	deadline := time.Now().Add(30 * time.Second)
	for {
		rel, err := releases.Get(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if rel.Status == status {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("release %s: got status %s after 30s, want %s (%s)", id, rel.Status, status, rel.Error)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// seedShop models dev → prod for product shop, each on a real bare Git repository, with a
// policy that commits; dev holds version 2.0.0, prod 1.0.0.
func seedShop(t *testing.T, dataDir string) {
	t.Helper()
	ctx := context.Background()
	conn, err := db.Open(ctx, filepath.Join(dataDir, "ladder.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	check, now := fault.NewValidator(), time.Now
	envs := environment.NewService(conn, check, now)
	for _, e := range []environment.Input{{Name: "dev", Kind: "non-production"}, {Name: "prod", Kind: "production"}} {
		if _, err := envs.Create(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	_, err = product.NewService(conn, check, now).Create(ctx, product.Input{Name: "shop", Concurrency: "queue", QueueLimit: 50,
		Template: product.Template{VersionSource: product.VersionSource{File: "Chart.yaml", JSONPath: "$.appVersion"},
			Promotion: []product.Entry{{File: "Chart.yaml", JSONPaths: []string{"$.appVersion"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	apps := application.NewService(conn, check, now)
	for env, version := range map[string]string{"dev": "2.0.0", "prod": "1.0.0"} {
		repo := bareRepo(t, "shop-"+env, version)
		if _, err := apps.Create(ctx, application.Input{Name: "shop-" + env, Environment: env, Product: "shop",
			RepoURL: "file://" + repo, Branch: "main", Path: "."}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := policy.NewService(conn, check, now).Create(ctx, policy.Input{Name: "commit", Settings: policy.Settings{Action: "commit"}}); err != nil {
		t.Fatal(err)
	}
}

// bareRepo makes a bare repository whose main branch holds Chart.yaml at version.
func bareRepo(t *testing.T, name, version string) string {
	t.Helper()
	root := t.TempDir()
	work, bare := filepath.Join(root, "work"), filepath.Join(root, name+".git")
	chart := "apiVersion: v2\nname: shop\nappVersion: \"" + version + "\"\n"
	if err := os.MkdirAll(work, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(work, "Chart.yaml"), []byte(chart), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"init", "-q", "-b", "main"}, {"add", "-A"}, {"commit", "-q", "-m", "chart " + version},
		{"clone", "-q", "--bare", work, bare}} {
		cmd := exec.Command("git", args...)
		cmd.Dir = work
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=ci", "GIT_AUTHOR_EMAIL=ci@example.com",
			"GIT_COMMITTER_NAME=ci", "GIT_COMMITTER_EMAIL=ci@example.com")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	return bare
}

// lockedBuffer collects a server's log safely while it runs.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
