package app_test

import (
	"context"
	"errors"
	"io"
	"testing"

	"ladder/internal/app"
)

func TestSecondServerOnTheSameDataDirectoryIsRefused(t *testing.T) {
	dir := t.TempDir()
	startLadder(t, dir)
	cfg := app.Config{Listen: "127.0.0.1:0", DataDir: dir, LogLevel: "error", LogFormat: "text",
		AdminPassword: "app-test-admin-password"}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv, err := app.Start(ctx, cfg, io.Discard)
	if err == nil {
		cancel()
		_ = srv.Wait()
		t.Fatal("a second server started on a data directory in use, want it refused")
	}
	if !errors.Is(err, app.ErrDataDirInUse) {
		t.Errorf("got %v, want %v", err, app.ErrDataDirInUse)
	}
}

func TestDataDirectoryIsFreedAtShutdown(t *testing.T) {
	dir := t.TempDir()
	cfg := app.Config{Listen: "127.0.0.1:0", DataDir: dir, LogLevel: "error", LogFormat: "text",
		AdminPassword: "app-test-admin-password"}
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := app.Start(ctx, cfg, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := srv.Wait(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	srv, err = app.Start(ctx, cfg, io.Discard)
	if err != nil {
		t.Fatalf("start after the first one stopped: %v", err)
	}
	cancel()
	_ = srv.Wait()
}
