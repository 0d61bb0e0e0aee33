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

// TestMemoReadsAnAgedAnswerOnceWhileTheOthersKeepIt: past memoFor, with nothing written, one
// caller reads again; the callers meanwhile get the answer it replaces instead of reading too.
func TestMemoReadsAnAgedAnswerOnceWhileTheOthersKeepIt(t *testing.T) {
	at := time.Unix(1_700_000_000, 0)
	m := NewMemo[string, int](func() uint64 { return 1 }, func() time.Time { return at })
	reads := 0
	value := func(v int) func() (int, error) { return func() (int, error) { reads++; return v, nil } }
	if v, _ := m.Get("k", value(1)); v != 1 {
		t.Fatalf("first get: got %d, want 1", v)
	}
	at = at.Add(memoFor)
	inRead, release := make(chan struct{}), make(chan struct{})
	done := make(chan int)
	go func() {
		v, _ := m.Get("k", func() (int, error) { close(inRead); <-release; reads++; return 2, nil })
		done <- v
	}()
	<-inRead
	for range 3 {
		if v, _ := m.Get("k", value(99)); v != 1 {
			t.Errorf("while another caller reads again: got %d, want the aged answer 1", v)
		}
	}
	close(release)
	if v := <-done; v != 2 {
		t.Errorf("the caller that read again: got %d, want 2", v)
	}
	if v, _ := m.Get("k", value(99)); v != 2 {
		t.Errorf("after the read: got %d, want 2", v)
	}
	if reads != 2 {
		t.Errorf("read %d times, want 2 (the first get and one read past memoFor)", reads)
	}

	at = at.Add(memoFor)
	failed := errors.New("no")
	if _, err := m.Get("k", func() (int, error) { return 0, failed }); !errors.Is(err, failed) {
		t.Fatalf("got %v, want the read's error", err)
	}
	if v, _ := m.Get("k", value(3)); v != 3 {
		t.Errorf("after a failed read past memoFor: got %d, want 3 (read again)", v)
	}
}
