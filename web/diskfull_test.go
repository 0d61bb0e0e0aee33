package web

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ladder/db"
	"ladder/views"
)

// diskFullError fills a real database up to a size limit (SQLite's max_page_count, which fails
// a write exactly as a full disk does) and returns the error of the write that did not fit.
func diskFullError(t *testing.T) error {
	t.Helper()
	ctx := context.Background()
	conn, err := db.Open(ctx, filepath.Join(t.TempDir(), "ladder.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	c, err := conn.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var pages int
	if err := c.QueryRowContext(ctx, "PRAGMA page_count").Scan(&pages); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ExecContext(ctx, fmt.Sprintf("PRAGMA max_page_count = %d", pages+1)); err != nil {
		t.Fatal(err)
	}
	for i := range 1000 {
		if _, err := c.ExecContext(ctx, `INSERT INTO audit_log (at, actor, action, entity_kind, entity_name, detail)
			VALUES (datetime('now'), 'x', 'create', 'k', ?, ?)`, fmt.Sprint(i), strings.Repeat("x", 4000)); err != nil {
			return fmt.Errorf("record: %w", err)
		}
	}
	t.Fatal("the database never filled up")
	return nil
}

func TestDiskFullIsSaidPlainly(t *testing.T) {
	full := diskFullError(t)
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	h := errorHandler(log, func(w http.ResponseWriter, r *http.Request) error { return full })
	for _, path := range []string{"/environments", "/api/v1/environments"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, path, nil))
		if rec.Code != http.StatusInsufficientStorage || !strings.Contains(rec.Body.String(), "disk is full") {
			t.Errorf("%s: got %d %.200q, want 507 saying the disk is full", path, rec.Code, rec.Body.String())
		}
	}
	if !strings.Contains(logs.String(), "disk full") {
		t.Errorf("the log does not say the disk is full: %s", logs.String())
	}
}

func TestReadyzReportsAFullDisk(t *testing.T) {
	ready := func() bool { return true }
	for _, tt := range []struct {
		free       uint64
		wantStatus int
		wantBody   string
	}{
		{free: 1 << 30, wantStatus: http.StatusOK, wantBody: "ready"},
		{free: 100 << 10, wantStatus: http.StatusServiceUnavailable, wantBody: "disk full: 100 KiB free"},
	} {
		rec := httptest.NewRecorder()
		err := readyz(ready, func() (uint64, error) { return tt.free, nil })(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
		if err != nil || rec.Code != tt.wantStatus || !strings.Contains(rec.Body.String(), tt.wantBody) {
			t.Errorf("%d bytes free: got %d %q (%v), want %d %q", tt.free, rec.Code, rec.Body.String(), err, tt.wantStatus, tt.wantBody)
		}
	}
}

func TestEveryPageSaysTheDiskIsFull(t *testing.T) {
	free := uint64(1 << 30)
	now := time.Date(2026, 12, 2, 8, 0, 0, 0, time.UTC)
	page := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = render(w, r, http.StatusOK, views.ErrorPage(layout(r, "Releases", "releases"), http.StatusOK, "a page"))
	})
	h := markDiskFull(func() (uint64, error) { return free, nil }, func() time.Time { return now }, page)
	get := func() string {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/releases", nil))
		return rec.Body.String()
	}
	if body := get(); strings.Contains(body, `data-testid="disk-full"`) {
		t.Fatal("the banner shows with 1 GiB free")
	}
	free, now = 4<<10, now.Add(diskRecheck)
	if body := get(); !strings.Contains(body, `data-testid="disk-full"`) || !strings.Contains(body, "disk is full") {
		t.Fatalf("with 4 KiB free the page does not say the disk is full:\n%.2000s", body)
	}
	free, now = 1<<30, now.Add(diskRecheck)
	if body := get(); strings.Contains(body, `data-testid="disk-full"`) {
		t.Fatal("the banner stays after space was freed")
	}
}
