package gitops

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestLocalPushCancelledEndsWhatGitStarted: a push to a file:// repository whose
// pre-receive hook never ends returns when its context is cancelled, and the hook, a
// process git started, is killed with git rather than left running. (go-git's own file
// transport kills only git, then waits for the hook to let go of git's pipes: forever.)
func TestLocalPushCancelledEndsWhatGitStarted(t *testing.T) {
	dev, prod := newEnvs(t)
	started := filepath.Join(t.TempDir(), "hook.pid")
	hook := "#!/bin/sh\necho $$ > " + started + ".tmp && mv " + started + ".tmp " + started + "\nexec sleep 600\n"
	if err := os.WriteFile(filepath.Join(prod.bare, "hooks", "pre-receive"), []byte(hook), 0o755); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for {
			if _, err := os.Stat(started); err == nil {
				cancel()
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
	}()
	done := make(chan error, 1)
	go func() {
		_, err := NewStore(t.TempDir()).Promote(ctx, promoteRequest(dev, prod))
		done <- err
	}()
	var err error
	select {
	case err = <-done:
	case <-time.After(time.Minute):
		t.Fatal("the cancelled push has not returned after a minute")
	}
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("promote cancelled in the hook: %v, want context.Canceled", err)
	}
	b, err := os.ReadFile(started)
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; syscall.Kill(pid, 0) == nil; i++ {
		if i == 100 {
			syscall.Kill(pid, syscall.SIGKILL)
			t.Fatalf("the hook (pid %d) still runs 5 s after the push was cancelled", pid)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if got := runGit(t, prod.bare, "rev-list", "--count", "main"); got != "1" {
		t.Fatalf("%s commits after a cancelled push, want 1", got)
	}
}
