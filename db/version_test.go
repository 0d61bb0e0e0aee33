package db

import (
	"context"
	"errors"
	"slices"
	"testing"
)

func TestVersionOfMovesAfterWritesThatMayChangeItsTables(t *testing.T) {
	ctx := context.Background()
	pool := openTest(t)
	users := VersionOf(pool, "users")
	versions := map[string]func() uint64{
		"all":            Version(pool),
		"users":          users,
		"sessions":       VersionOf(pool, "sessions"),
		"access_rules":   VersionOf(pool, "access_rules"),
		"users+rules":    VersionOf(pool, "users", "access_rules"),
		"a view, as all": VersionOf(pool, "release_environment_summaries"),
	}
	// step runs statements in a transaction and checks that exactly the versions named moved
	// (besides those that move after every write).
	step := func(name string, statements []string, moved ...string) {
		t.Helper()
		before := map[string]uint64{}
		for n, v := range versions {
			before[n] = v()
		}
		err := InTx(ctx, pool, func(q *Queries) error {
			for _, s := range statements {
				if _, err := q.db.ExecContext(ctx, s); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		moved = append(moved, "all", "a view, as all")
		for n, v := range versions {
			if got, want := v() != before[n], slices.Contains(moved, n); got != want {
				t.Errorf("%s: the version of %s moved = %v, want %v", name, n, got, want)
			}
		}
	}
	step("a product written (products have a trigger that writes rules)", []string{
		"INSERT INTO products (name, created_at, updated_at) VALUES ('shop', 0, 0)"}, "access_rules", "users+rules")
	step("a release written, and its status (whose trigger writes release_status_changes)", []string{
		`INSERT INTO releases (id, product, number, flow, version, trigger_env, source_app, trigger_sha, trigger_message,
			trigger_author, trigger_branch, initiator, status, plan, timeout_minutes, created_at)
			VALUES ('r1', 'shop', 1, '', '1.0.0', 'dev', '', '', '', '', '', 'auto', 'running', '{}', 60, 0)`,
		"UPDATE releases SET status = 'succeeded' WHERE id = 'r1'"})
	// A table's triggers and the foreign keys that cascade from it count for every write to
	// it: adding an environment moves the rules, although only renaming one changes them;
	// adding a user moves the sessions.
	step("an environment written", []string{
		"INSERT INTO environments (name, kind, tags, position, created_at, updated_at) VALUES ('dev', 'non-production', '[]', 0, 0, 0)"},
		"access_rules", "users+rules")
	step("a user written", []string{
		"INSERT INTO users (name, created_at, updated_at) VALUES ('ann', 0, 0)"}, "users", "sessions", "users+rules")
	step("a session written", []string{
		"INSERT INTO sessions (token_hash, user_id, created_at) VALUES ('h', (SELECT id FROM users), 0)"}, "sessions")
	step("a user deleted: its sessions go with it (ON DELETE CASCADE)", []string{
		"DELETE FROM users WHERE name = 'ann'"}, "users", "sessions", "users+rules")
	step("an access rule written", []string{
		`INSERT INTO access_rules (name, group_name, permission, environment_names, created_at, updated_at)
			VALUES ('deployers', 'g', 'promote', '["dev"]', 0, 0)`},
		"access_rules", "users+rules")
	step("an environment renamed: the rules naming it follow, by a trigger", []string{
		"UPDATE environments SET name = 'development' WHERE name = 'dev'"}, "access_rules", "users+rules")
	step("a statement whose table is not named plainly", []string{
		"CREATE TABLE scratch (x INTEGER)"}, "users", "sessions", "access_rules", "users+rules")

	before := users()
	err := InTx(ctx, pool, func(q *Queries) error {
		if _, err := q.db.ExecContext(ctx, "INSERT INTO users (name, created_at, updated_at) VALUES ('bo', 0, 0)"); err != nil {
			return err
		}
		if users() != before {
			t.Error("the users' version moved before the commit")
		}
		return errRollback
	})
	if !errors.Is(err, errRollback) {
		t.Fatal(err)
	}
	if users() != before {
		t.Error("a write rolled back moved the users' version")
	}
}

var errRollback = errors.New("roll back")

func TestTablesWrittenReadsEveryFormOfWrite(t *testing.T) {
	for query, want := range map[string][]string{
		`INSERT INTO users (name) VALUES (?)`:                                          {"users"},
		`insert or ignore into "Users" (name) values (?)`:                              {"users"},
		"REPLACE INTO `sessions` (id) VALUES (?)":                                      {"sessions"},
		`UPDATE OR REPLACE main.users SET name = ?`:                                    {"users"},
		`DELETE FROM [sessions] WHERE id = ?`:                                          {"sessions"},
		`INSERT INTO pins (p) VALUES (?) ON CONFLICT (p) DO UPDATE SET p = ?`:          {"pins"},
		`WITH old AS (SELECT id FROM users) DELETE FROM sessions WHERE user_id IN old`: {"sessions"},
		`-- name: X :exec
UPDATE releases SET status = ?`: {"releases"},
		`SELECT * FROM users`:             nil,
		`PRAGMA wal_checkpoint(TRUNCATE)`: nil,
		`CREATE TABLE t (x INTEGER)`:      nil,
	} {
		if got := tablesWritten(query); !slices.Equal(got, want) {
			t.Errorf("tablesWritten(%q) = %q, want %q", query, got, want)
		}
	}
}
