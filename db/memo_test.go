package db

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestMemoReadsAgainOnlyAfterItsTablesAreWritten(t *testing.T) {
	ctx := context.Background()
	pool := openTest(t)
	m := NewMemo[string, int](VersionOf(pool, "products"), time.Now)
	reads := 0
	get := func() int {
		t.Helper()
		v, err := m.Get("", func() (int, error) { reads++; return reads, nil })
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	exec := func(query string) {
		t.Helper()
		if _, err := pool.ExecContext(ctx, query); err != nil {
			t.Fatal(err)
		}
	}
	if get() != 1 || get() != 1 {
		t.Fatalf("read %d times for two gets with nothing written, want 1", reads)
	}
	exec("INSERT INTO environments (name, kind, tags, position, created_at, updated_at) VALUES ('dev', 'non-production', '[]', 0, 0, 0)")
	if get() != 1 {
		t.Errorf("read again after a write to environments")
	}
	exec("INSERT INTO products (name, created_at, updated_at) VALUES ('shop', 0, 0)")
	if get() != 2 {
		t.Errorf("not read again after a write to products")
	}
	failed := errors.New("no")
	if _, err := m.Get("other", func() (int, error) { return 0, failed }); !errors.Is(err, failed) {
		t.Fatalf("got %v, want the read's error", err)
	}
	if v, _ := m.Get("other", func() (int, error) { return 7, nil }); v != 7 {
		t.Errorf("a failed read was kept: got %d, want 7", v)
	}
}
