// Package e2e drives Ladder in a real Chromium through playwright-go: one browser for the
// package, one in-process server and one browser context per test.
package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mxschmitt/playwright-go"

	"ladder/db"
	"ladder/internal/app"
)

// chromiumPath is Debian's Chromium; .ci/run installs it. Playwright never downloads one here.
const chromiumPath = "/usr/bin/chromium"

var browser playwright.Browser

var expect = playwright.NewPlaywrightAssertions(10_000)

func TestMain(m *testing.M) { os.Exit(run(m)) }

func run(m *testing.M) int {
	driverDir, err := filepath.Abs("driver")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	opts := &playwright.RunOptions{DriverDirectory: driverDir, SkipInstallBrowsers: true}
	if err := playwright.Install(opts); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: the playwright driver is not laid out (run .ci/setup):", err)
		return 1
	}
	pw, err := playwright.Run(opts)
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e: start playwright:", err)
		return 1
	}
	defer pw.Stop()
	browser, err = pw.Chromium.Launch(playwright.BrowserTypeLaunchOptions{
		ExecutablePath: playwright.String(chromiumPath),
		Args: []string{"--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
			"--disable-background-networking", "--disable-component-update", "--disable-sync",
			"--disable-dev-shm-usage"},
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e: launch Chromium at", chromiumPath, "(run .ci/setup):", err)
		return 1
	}
	defer browser.Close()
	return m.Run()
}

// server is one Ladder started in-process for a test, on a free port and a fresh data directory.
type server struct {
	URL     string
	DataDir string
	logs    *syncBuffer
	stop    func() // stops the server (once); cleanup calls it too
}

// startServer starts Ladder for t with the given changes to the default test configuration and
// stops it when t ends. On failure the server's log is printed.
func startServer(t *testing.T, configure ...func(*app.Config)) *server {
	t.Helper()
	cfg := app.Config{Listen: "127.0.0.1:0", DataDir: t.TempDir(), LogLevel: "info", LogFormat: "text",
		AdminPassword: adminPassword}
	for _, c := range configure {
		c(&cfg)
	}
	ctx, cancel := context.WithCancel(context.Background())
	logs := &syncBuffer{}
	srv, err := app.Start(ctx, cfg, logs)
	if err != nil {
		cancel()
		t.Fatalf("start ladder: %v", err)
	}
	stop := sync.OnceFunc(func() {
		cancel()
		if err := srv.Wait(); err != nil {
			t.Errorf("ladder stopped with: %v", err)
		}
	})
	t.Cleanup(func() {
		stop()
		if t.Failed() {
			t.Logf("server log:\n%s", logs.String())
			t.Logf("release state:\n%s", releaseState(cfg.DataDir))
		}
	})
	return &server{URL: "http://" + srv.Addr(), DataDir: cfg.DataDir, logs: logs, stop: stop}
}

// newPage opens a fresh browser context on srv and fails t if the page logs an error to its
// console (a blocked script or a Content-Security-Policy violation shows up there).
func newPage(t *testing.T, srv *server) playwright.Page {
	t.Helper()
	return newPageWith(t, srv, playwright.BrowserNewContextOptions{})
}

// newPageWith is newPage in a browser context with opts (a viewport, a colour scheme); the
// base URL is always srv's.
func newPageWith(t *testing.T, srv *server, opts playwright.BrowserNewContextOptions) playwright.Page {
	t.Helper()
	opts.BaseURL = playwright.String(srv.URL)
	bctx, err := browser.NewContext(opts)
	if err != nil {
		t.Fatalf("new browser context: %v", err)
	}
	page, err := bctx.NewPage()
	if err != nil {
		t.Fatalf("new page: %v", err)
	}
	var mu sync.Mutex
	var consoleErrors []string
	page.OnConsole(func(m playwright.ConsoleMessage) {
		if m.Type() == "error" && !strings.Contains(m.Text(), "Failed to load resource") {
			mu.Lock()
			consoleErrors = append(consoleErrors, m.Text())
			mu.Unlock()
		}
	})
	page.SetDefaultTimeout(15_000)
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		for _, e := range consoleErrors {
			t.Errorf("browser console error: %s", e)
		}
		_ = bctx.Close()
	})
	return page
}

// adminPassword is the local admin's password on every test server (LADDER_ADMIN_PASSWORD).
const adminPassword = "e2e-admin-password"

// signInAsAdmin signs page in as the local admin of its server.
func signInAsAdmin(t *testing.T, page playwright.Page) {
	t.Helper()
	_, err := page.Goto("/login")
	must(t, err, "open the sign-in page")
	must(t, page.GetByLabel("User name").Fill("admin"), "fill the user name")
	must(t, page.GetByLabel("Password").Fill(adminPassword), "fill the password")
	must(t, page.GetByRole("button", named("Sign in")).Click(), "sign in")
	must(t, expect.Locator(page.GetByTestId("signed-in")).ToBeVisible(), "signed in")
}

// must fails t when err is not nil; it keeps journeys readable.
func must(t *testing.T, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// syncBuffer is a bytes.Buffer safe for the server's log writer and the test reading it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// waitFor polls cond until it holds or the timeout passes, for state outside the browser.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// releaseState describes every release, environment and pending job in the data directory's
// database, for the log of a failed test.
func releaseState(dataDir string) string {
	conn, err := db.Open(context.Background(), filepath.Join(dataDir, "ladder.db"))
	if err != nil {
		return err.Error()
	}
	defer conn.Close()
	var b strings.Builder
	rows, err := conn.Query(`SELECT r.id, r.status, r.blocker, e.name, e.status, e.blocker
		FROM releases r JOIN release_environments e ON e.release_id = r.id ORDER BY r.id, e.position`)
	if err != nil {
		return err.Error()
	}
	for rows.Next() {
		var id, status, blocker, env, envStatus, envBlocker string
		if err := rows.Scan(&id, &status, &blocker, &env, &envStatus, &envBlocker); err != nil {
			return err.Error()
		}
		fmt.Fprintf(&b, "release %s %s %q: %s %s %q\n", id, status, blocker, env, envStatus, envBlocker)
	}
	rows.Close()
	jobs, err := conn.Query(`SELECT kind, environment, application, run_after, COALESCE(lease_until, ''), attempts FROM jobs`)
	if err != nil {
		return err.Error()
	}
	defer jobs.Close()
	for jobs.Next() {
		var kind, env, app, after, lease string
		var attempts int
		if err := jobs.Scan(&kind, &env, &app, &after, &lease, &attempts); err != nil {
			return err.Error()
		}
		fmt.Fprintf(&b, "job %s %s/%s due %s lease %s attempts %d\n", kind, env, app, after, lease, attempts)
	}
	return b.String()
}
