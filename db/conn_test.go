package db

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
)

func openTest(t testing.TB) *sql.DB {
	t.Helper()
	conn, err := Open(context.Background(), filepath.Join(t.TempDir(), "ladder.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

func TestVersionMovesAfterWritesOnly(t *testing.T) {
	ctx := context.Background()
	pool := openTest(t)
	q := New(pool)
	version := Version(pool)
	step := func(name string, fn func() error, moves bool) {
		t.Helper()
		before := version()
		if err := fn(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got := version() != before; got != moves {
			t.Errorf("%s: version moved = %v, want %v", name, got, moves)
		}
	}
	step("a SELECT", func() error { _, err := q.ListEnvironments(ctx); return err }, false)
	step("a read-only transaction", func() error {
		return InTx(ctx, pool, func(q *Queries) error { _, err := q.ListEnvironments(ctx); return err })
	}, false)
	step("INSERT … RETURNING outside a transaction", func() error {
		_, err := q.CreateEnvironment(ctx, CreateEnvironmentParams{Name: "dev", Kind: "non-production", Tags: "[]"})
		return err
	}, true)
	step("an UPDATE", func() error {
		_, err := pool.ExecContext(ctx, "UPDATE environments SET description = 'x'")
		return err
	}, true)
	step("an UPDATE that matches no row", func() error {
		_, err := pool.ExecContext(ctx, "UPDATE environments SET description = 'z' WHERE name = 'none'")
		return err
	}, false)
	step("a transaction whose UPDATE matches no row", func() error {
		return InTx(ctx, pool, func(q *Queries) error {
			_, err := q.db.ExecContext(ctx, "UPDATE environments SET description = 'z' WHERE name = 'none'")
			return err
		})
	}, false)
	step("an UPDATE … RETURNING that matches no row (a job claim with nothing due)", func() error {
		rows, err := pool.QueryContext(ctx, "UPDATE environments SET description = 'z' WHERE name = 'none' RETURNING id")
		if err != nil {
			return err
		}
		for rows.Next() {
		}
		return rows.Close()
	}, false)
	step("an UPDATE … RETURNING that changes a row", func() error {
		var id int64
		return pool.QueryRowContext(ctx, "UPDATE environments SET description = 'r' WHERE name = 'dev' RETURNING id").Scan(&id)
	}, true)
	step("a prepared UPDATE", func() error {
		s, err := pool.PrepareContext(ctx, "UPDATE environments SET description = 'y'")
		if err != nil {
			return err
		}
		defer s.Close()
		_, err = s.ExecContext(ctx)
		return err
	}, true)

	// Inside a transaction the version moves at commit, not before: a reader that sees the
	// new version must also see the data.
	before := version()
	err := InTx(ctx, pool, func(q *Queries) error {
		if _, err := q.CreateEnvironment(ctx, CreateEnvironmentParams{Name: "prod", Kind: "production", Tags: "[]"}); err != nil {
			return err
		}
		if version() != before {
			t.Error("version moved before the commit")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if version() == before {
		t.Error("version did not move at commit")
	}
	otherPool := openTest(t)
	mine := version()
	if _, err := New(otherPool).CreateEnvironment(ctx, CreateEnvironmentParams{Name: "dev", Kind: "non-production", Tags: "[]"}); err != nil {
		t.Fatal(err)
	}
	if version() != mine {
		t.Error("a write to another database moved this one's version")
	}
}

func TestStatementsAreKeptAndSharedSafely(t *testing.T) {
	ctx := context.Background()
	pool := openTest(t)
	for _, name := range []string{"a", "b", "c"} {
		if _, err := New(pool).CreateEnvironment(ctx, CreateEnvironmentParams{Name: name, Kind: "non-production", Tags: "[]"}); err != nil {
			t.Fatal(err)
		}
	}
	c, err := pool.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	const query = "SELECT name FROM environments ORDER BY name"
	// The same statement again while its first rows are still open: both read everything.
	outer, err := c.QueryContext(ctx, query)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for outer.Next() {
		var name string
		if err := outer.Scan(&name); err != nil {
			t.Fatal(err)
		}
		var inner []string
		rows, err := c.QueryContext(ctx, query)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var n string
			_ = rows.Scan(&n)
			inner = append(inner, n)
		}
		rows.Close()
		if len(inner) != 3 {
			t.Fatalf("inner read %v while the outer rows were open", inner)
		}
		got = append(got, name)
	}
	outer.Close()
	if len(got) != 3 || got[0] != "a" || got[2] != "c" {
		t.Fatalf("outer read %v", got)
	}
	err = c.Raw(func(dc any) error {
		if _, ok := dc.(*conn).stmts[query]; !ok {
			t.Errorf("statement not kept for the next run")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
