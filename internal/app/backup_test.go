package app_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ladder/internal/app"
)

// TestBackupWhileRunning: `ladder backup` taken while Ladder runs, with releases stored, is
// a database a fresh `ladder serve --data` opens with every release there.
func TestBackupWhileRunning(t *testing.T) {
	dir := t.TempDir()
	seedShop(t, dir)
	srv := startLadder(t, dir)
	var ids []string
	for range 3 {
		id := srv.promote(t)
		srv.waitForStatus(t, id, "SUCCEEDED")
		ids = append(ids, id)
	}
	backup := filepath.Join(t.TempDir(), "ladder.db")
	if out := runLadder(t, "backup", backup, "--data", dir); !strings.Contains(out, backup) {
		t.Errorf("backup said %q, want it to name %s", out, backup)
	}

	restored := filepath.Dir(backup)
	fresh := startLadder(t, restored)
	for _, id := range ids {
		if resp, _ := fresh.do(t, http.MethodGet, "/releases/"+id, nil); resp.StatusCode != http.StatusOK {
			t.Errorf("release %s on the restored server: got %d, want 200", id, resp.StatusCode)
		}
		fresh.waitForStatus(t, id, "SUCCEEDED")
	}
}

func TestBackupRefuses(t *testing.T) {
	dir := t.TempDir()
	startLadder(t, dir)
	existing := filepath.Join(t.TempDir(), "taken.db")
	if err := os.WriteFile(existing, []byte("keep me"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"existing file", []string{"backup", existing, "--data", dir}, "already exists"},
		{"no database", []string{"backup", filepath.Join(t.TempDir(), "new.db"), "--data", t.TempDir()}, "no Ladder database"},
		{"no file named", []string{"backup", "--data", dir}, "usage"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := app.Run(context.Background(), append([]string{"ladder"}, tt.args...), func(string) string { return "" }, &strings.Builder{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error saying %q", err, tt.want)
			}
		})
	}
	if got, _ := os.ReadFile(existing); string(got) != "keep me" {
		t.Errorf("existing file: got %q, want it untouched", got)
	}
}
