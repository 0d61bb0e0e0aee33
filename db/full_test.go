package db

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// TestDiskFullIsRecognised fills a real database up to a size limit (SQLite's max_page_count,
// which fails writes exactly as a full disk does) and checks that DiskFull names the error.
func TestDiskFullIsRecognised(t *testing.T) {
	ctx := context.Background()
	conn, err := Open(ctx, filepath.Join(t.TempDir(), "ladder.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	c, err := conn.Conn(ctx) // the pragma holds for one connection
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var pages int
	if err := c.QueryRowContext(ctx, "PRAGMA page_count").Scan(&pages); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ExecContext(ctx, fmt.Sprintf("PRAGMA max_page_count = %d", pages+2)); err != nil {
		t.Fatal(err)
	}
	var werr error
	for i := 0; i < 1000 && werr == nil; i++ {
		_, werr = c.ExecContext(ctx, `INSERT INTO audit_log (at, actor, action, entity_kind, entity_name, detail) VALUES (datetime('now'), 'x', 'create', 'k', ?, ?)`,
			fmt.Sprint(i), strings.Repeat("x", 4000))
	}
	if werr == nil {
		t.Fatal("1,000 writes of 4 KB fitted in two pages")
	}
	if !DiskFull(werr) {
		t.Fatalf("DiskFull(%v) = false, want true", werr)
	}
	if DiskFull(errors.New("constraint failed")) {
		t.Error("DiskFull of another error is true")
	}
}
