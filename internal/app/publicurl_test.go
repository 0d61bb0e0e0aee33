package app_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ladder/db"
	"ladder/internal/fault"
	"ladder/internal/policy"
	"ladder/internal/workflow"
)

// TestStepsGetTheResolvedPublicURL: with no public URL configured and the server on port 0,
// a step's RELEASE_URL names the port the server really listens on, not ":0".
func TestStepsGetTheResolvedPublicURL(t *testing.T) {
	dir := t.TempDir()
	seedShop(t, dir)
	ctx := context.Background()
	conn, err := db.Open(ctx, filepath.Join(dir, "ladder.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	check, out := fault.NewValidator(), filepath.Join(t.TempDir(), "url")
	if _, err := workflow.NewService(conn, check, time.Now).Create(ctx, workflow.Input{Name: "say-url", Steps: []workflow.Step{{
		Name: "url", Kind: workflow.KindExec, Exec: &workflow.ExecStep{Command: "sh", Args: []string{"-c", `echo "$RELEASE_URL" > ` + out}}}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := policy.NewService(conn, check, time.Now).Create(ctx, policy.Input{Name: "say", Priority: 5,
		Settings: policy.Settings{PostAction: "say-url"}}); err != nil {
		t.Fatal(err)
	}
	l := startLadder(t, dir)
	id := l.promote(t)
	l.waitForStatus(t, id, "SUCCEEDED")
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if want := l.URL + "/releases/" + id; strings.TrimSpace(string(got)) != want {
		t.Errorf("RELEASE_URL: got %q, want %q", strings.TrimSpace(string(got)), want)
	}
}
