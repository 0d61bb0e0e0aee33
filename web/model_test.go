package web_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"database/sql"
	"encoding/pem"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"ladder/db"
	"ladder/internal/app"
)

const modelAdminPassword = "model-test-admin-password"

// lockedBuffer collects the server's log lines while requests run.
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

// modelServer is an in-process Ladder with a signed-in admin.
type modelServer struct {
	url, dataDir string
	logs         *lockedBuffer
	client       *http.Client
	cookie       *http.Cookie
}

func startModelServer(t *testing.T) *modelServer {
	t.Helper()
	logs := &lockedBuffer{}
	cfg := app.Config{Listen: "127.0.0.1:0", DataDir: t.TempDir(), LogLevel: "debug", LogFormat: "text",
		AdminPassword: modelAdminPassword}
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := app.Start(ctx, cfg, logs)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); _ = srv.Wait() })
	s := &modelServer{url: "http://" + srv.Addr(), dataDir: cfg.DataDir, logs: logs,
		client: &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	resp, err := s.client.PostForm(s.url+"/login", url.Values{"name": {"admin"}, "password": {modelAdminPassword}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for _, c := range resp.Cookies() {
		if c.Name == "ladder_session" && c.Value != "" {
			s.cookie = c
		}
	}
	if s.cookie == nil {
		t.Fatalf("admin sign-in: got %d without a session cookie", resp.StatusCode)
	}
	return s
}

// do sends a request as the admin (as htmx does when hx is set) and returns status and body.
func (s *modelServer) do(t *testing.T, method, path string, form url.Values, hx bool) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, s.url+path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", s.url)
	}
	if hx {
		req.Header.Set("HX-Request", "true")
	}
	req.AddCookie(s.cookie)
	resp, err := s.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// mustPost posts form and fails unless the answer is a redirect (the change was saved).
func (s *modelServer) mustPost(t *testing.T, path string, form url.Values) {
	t.Helper()
	if status, body := s.do(t, http.MethodPost, path, form, false); status != http.StatusSeeOther {
		t.Fatalf("POST %s: got %d, want 303\n%s", path, status, body)
	}
}

func (s *modelServer) db(t *testing.T) *sql.DB {
	t.Helper()
	conn, err := db.Open(context.Background(), filepath.Join(s.dataDir, "ladder.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// byTestID returns the text inside the first element marked data-testid=id, tags removed.
func byTestID(body, id string) (string, bool) {
	re := regexp.MustCompile(`data-testid="` + regexp.QuoteMeta(id) + `"[^>]*>((?s:.*?))</`)
	m := re.FindStringSubmatch(body)
	if m == nil {
		return "", false
	}
	return strings.TrimSpace(regexp.MustCompile(`<[^>]*>`).ReplaceAllString(m[1], "")), true
}

// seedModel adds environment dev, product shop and application dev/api on repoURL.
func seedModel(t *testing.T, s *modelServer, repoURL string) {
	t.Helper()
	s.mustPost(t, "/environments", url.Values{"name": {"dev"}, "kind": {"non-production"}})
	s.mustPost(t, "/products", url.Values{"name": {"shop"}})
	s.mustPost(t, "/applications", url.Values{"name": {"api"}, "environment": {"dev"}, "product": {"shop"},
		"repoURL": {repoURL}, "path": {"apps/shop"}})
}

func TestSecretsNeverLeave(t *testing.T) {
	s := startModelServer(t)
	seedModel(t, s, "https://git.example.com/shop/deploy.git")
	token := "ghp_T0kenThatMustNeverShow9f3a"
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := ssh.MarshalPrivateKey(priv, "")
	key := string(pem.EncodeToMemory(block))
	sshPub, _ := ssh.NewPublicKey(pub)
	keyLines := strings.Split(strings.TrimSpace(key), "\n")
	secrets := []string{token, keyLines[1], keyLines[len(keyLines)/2]}

	s.mustPost(t, "/settings/git-credentials", url.Values{"name": {"github"}, "urlPrefix": {"https://git.example.com/"},
		"kind": {"https"}, "username": {"bot"}, "token": {token}})
	s.mustPost(t, "/settings/git-credentials", url.Values{"name": {"deploy-key"}, "urlPrefix": {"ssh://git@git.example.com/"},
		"kind": {"ssh"}, "privateKey": {key}, "knownHosts": {knownhosts.Line([]string{"git.example.com"}, sshPub)}})
	// A form with an error comes back without the secret typed into it.
	status, body := s.do(t, http.MethodPost, "/settings/git-credentials", url.Values{"name": {"Bad Name"},
		"urlPrefix": {"https://x.example.com/"}, "kind": {"https"}, "username": {"bot"}, "token": {token}}, true)
	if _, ok := byTestID(body, "error-name"); status != http.StatusUnprocessableEntity || !ok {
		t.Fatalf("invalid credential: got %d without error-name, want 422 with it", status)
	}
	pages := []string{body}
	for _, path := range []string{"/settings/git-credentials", "/settings/git-credentials/github",
		"/settings/git-credentials/deploy-key", "/applications", "/applications/dev/api", "/products/shop", "/audit"} {
		status, body := s.do(t, http.MethodGet, path, nil, false)
		if status != http.StatusOK {
			t.Fatalf("GET %s: got %d, want 200", path, status)
		}
		pages = append(pages, body)
	}
	if hint := regexp.MustCompile(`id="f-token-hint">([^<]*)<`).FindStringSubmatch(pages[2]); hint == nil ||
		!strings.Contains(hint[1], "Saved — leave empty to keep") {
		t.Errorf("edit form token field reads %q, want the saved hint", hint)
	}
	conn := s.db(t)
	var audit strings.Builder
	rows, err := conn.Query("SELECT action || entity_kind || entity_name || detail FROM audit_log")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var line string
		_ = rows.Scan(&line)
		audit.WriteString(line + "\n")
	}
	rows.Close()
	if !strings.Contains(audit.String(), "git-credentialgithub") {
		t.Fatalf("audit log %q has no record of the credential", audit.String())
	}
	var sealed []byte
	if err := conn.QueryRow("SELECT secret FROM git_credentials WHERE name = 'github'").Scan(&sealed); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(s.logs.String(), "path=/settings/git-credentials") {
		t.Fatalf("captured log has no request lines; cannot check it:\n%s", s.logs.String())
	}
	places := map[string]string{"pages": strings.Join(pages, "\n"), "log": s.logs.String(), "audit log": audit.String(),
		"secret column": string(sealed)}
	for where, text := range places {
		for _, secret := range secrets {
			if strings.Contains(text, secret) {
				t.Errorf("%s contain %q, want no secret", where, secret)
			}
		}
	}
	if len(sealed) < len(token) {
		t.Errorf("secret column holds %d bytes, want the sealed token (nonce + ciphertext + tag)", len(sealed))
	}
}

func TestPreviewOverHTTP(t *testing.T) {
	repo := bareRepo(t, map[string]string{
		"apps/shop/Chart.yaml":  "apiVersion: v2\nname: shop\nappVersion: \"2.0.1\"\n",
		"apps/shop/values.yaml": "image:\n  tag: \"2.0.1\"\n"})
	s := startModelServer(t)
	seedModel(t, s, repo)
	settings := url.Values{"name": {"shop"}, "concurrency": {"queue"}, "queueLimit": {"50"},
		"versionSource.file": {"Chart.yaml"}, "versionSource.jsonPath": {"$.appVersion"},
		"promotion.0.file": {"values.yaml"}, "promotion.0.jsonPaths": {"$.image.tag\n$.image.nothing"}}
	s.mustPost(t, "/products/shop", settings)

	status, body := s.do(t, http.MethodGet, "/products/shop/preview?app=dev/api", nil, true)
	if status != http.StatusOK {
		t.Fatalf("preview: got %d, want 200\n%s", status, body)
	}
	checks := []struct{ id, want string }{
		{"preview-version", "2.0.1"},
		{"preview-value-0-0", "2.0.1"},
		{"preview-error-0-1", "path matches nothing"},
		{"repo-path", "apps/shop"},
	}
	for _, c := range checks {
		if got, ok := byTestID(body, c.id); !ok || !strings.Contains(got, c.want) {
			t.Errorf("%s: got %q (found %v), want it to contain %q", c.id, got, ok, c.want)
		}
	}
	if !strings.Contains(body, ` · <code data-testid="repo-path">apps/shop</code> at <code data-testid="preview-commit">`) {
		t.Errorf("the preview does not say where it read, as \"branch · path at commit\":\n%s", body)
	}
	// An application whose repository does not exist shows why, next to the result.
	s.mustPost(t, "/applications", url.Values{"name": {"gone"}, "environment": {"dev"}, "product": {"shop"},
		"repoURL": {"file://" + filepath.Join(t.TempDir(), "missing.git")}})
	_, body = s.do(t, http.MethodGet, "/products/shop/preview?app=dev/gone", nil, true)
	if got, _ := byTestID(body, "preview-repo-error"); !strings.Contains(got, "repository unreachable") {
		t.Errorf("preview-repo-error: got %q, want repository unreachable", got)
	}
	// Manifests at the repository's root are said to be there, not shown as ".".
	if got, _ := byTestID(body, "repo-path"); got != "repository root" {
		t.Errorf("repo-path of an application at the root: got %q, want repository root", got)
	}
}

func TestProductEditorAndFieldErrors(t *testing.T) {
	s := startModelServer(t)
	seedModel(t, s, "/srv/git/shop.git")
	form := url.Values{"name": {"shop"}, "concurrency": {"queue"}, "queueLimit": {"50"},
		"versionSource.file": {""}, "versionSource.jsonPath": {""},
		"promotion.0.file": {"a.yaml"}, "promotion.0.jsonPaths": {"$.a"},
		"promotion.1.file": {"b.yaml"}, "promotion.1.jsonPaths": {"$.b"}, "op": {"entry:up:1"}}
	status, body := s.do(t, http.MethodPost, "/products/shop/editor", form, true)
	if status != http.StatusOK || !strings.Contains(body, `name="promotion.0.file" type="text" value="b.yaml"`) {
		t.Fatalf("move entry up: got %d, want b.yaml first\n%s", status, body)
	}
	form.Set("op", "flow:add")
	if _, body = s.do(t, http.MethodPost, "/products/shop/editor", form, true); !strings.Contains(body, `data-testid="flow-0"`) {
		t.Errorf("add flow: got no flow-0 in the form")
	}
	form.Del("op")
	form.Set("promotion.1.jsonPaths", "$.b[")
	form.Set("flows.0.flow", "nightly")
	status, body = s.do(t, http.MethodPost, "/products/shop", form, true)
	if status != http.StatusUnprocessableEntity {
		t.Fatalf("invalid settings: got %d, want 422", status)
	}
	for _, id := range []string{"error-promotion.1.jsonPaths", "error-flows.0.flow"} {
		if _, ok := byTestID(body, id); !ok {
			t.Errorf("invalid settings: no %s in the fragment", id)
		}
	}
	var stored string
	if err := s.db(t).QueryRow("SELECT template FROM products WHERE name = 'shop'").Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(stored, "a.yaml") {
		t.Errorf("stored template %s, want the invalid settings not stored", stored)
	}
	status, body = s.do(t, http.MethodPost, "/products/shop/delete", nil, true)
	if got, _ := byTestID(body, "error-delete"); status != http.StatusUnprocessableEntity || !strings.Contains(got, "dev/api") {
		t.Errorf("delete used product: got %d %q, want 422 naming dev/api", status, got)
	}
}

// bareRepo commits files on main in a new bare repository and returns its file:// URL.
func bareRepo(t *testing.T, files map[string]string) string {
	t.Helper()
	return bareRepoIn(t, t.TempDir(), files)
}

// bareRepoIn is bareRepo in dir. A test whose server may still push when the test ends makes
// dir before it starts the server: cleanups run last-registered first, so the server stops
// before dir is removed (a folder of t's own, made later, would be removed under a push).
func bareRepoIn(t *testing.T, dir string, files map[string]string) string {
	t.Helper()
	work, bare := filepath.Join(dir, "work"), filepath.Join(dir, "deploy.git")
	for name, content := range files {
		p := filepath.Join(work, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, args := range [][]string{{"init", "-q", "-b", "main"}, {"add", "."}, {"commit", "-q", "-m", "initial"},
		{"clone", "-q", "--bare", work, bare}} {
		cmd := exec.Command("git", args...)
		cmd.Dir = work
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=Test", "GIT_AUTHOR_EMAIL=t@example.com",
			"GIT_COMMITTER_NAME=Test", "GIT_COMMITTER_EMAIL=t@example.com", "GIT_CONFIG_GLOBAL=/dev/null")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	return "file://" + bare
}
