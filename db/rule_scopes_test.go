package db

import (
	"context"
	"testing"

	"github.com/pressly/goose/v3"
)

// TestRulesGainNamesAndScopes: migration 0031 keeps every rule, naming it rule-<id> with no
// product or flow scope; going back drops the rules the old table cannot hold (scoped ones, and
// trigger and retry rules) and keeps the others.
func TestRulesGainNamesAndScopes(t *testing.T) {
	ctx := context.Background()
	conn := openTest(t)
	provider, err := goose.NewProvider(goose.DialectSQLite3, conn, mustSub(migrations, "migrations"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := provider.DownTo(ctx, 30); err != nil {
		t.Fatalf("down to 30: %v", err)
	}
	if _, err := conn.Exec(`INSERT INTO access_rules (id, group_name, permission, environment_names, environment_kinds, created_at)
		VALUES (4, 'sre', 'promote', '[]', '["production"]', '2026-05-01T12:00:00Z'), (7, 'qa', 'approve', '["staging"]', '[]', '2026-05-01T12:00:00Z')`); err != nil {
		t.Fatal(err)
	}
	if _, err := provider.Up(ctx); err != nil {
		t.Fatalf("up: %v", err)
	}
	q := New(conn)
	rules, err := q.ListAccessRules(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(rules) != 2 || rules[0].Name != "rule-4" || rules[0].GroupName != "sre" || rules[0].EnvironmentKinds != `["production"]` ||
		rules[0].ProductNames != "[]" || rules[0].FlowNames != "[]" || rules[1].Name != "rule-7" || rules[1].EnvironmentNames != `["staging"]` {
		t.Fatalf("after 0031: got %+v, want rule-4 and rule-7 as they were", rules)
	}
	if _, err := conn.Exec(`INSERT INTO access_rules (name, group_name, permission, product_names, created_at, updated_at)
		VALUES ('shop-only', 'payments', 'promote', '["shop"]', '2026-05-01T12:00:00Z', '2026-05-01T12:00:00Z'),
		       ('retries', 'sre', 'retry', '[]', '2026-05-01T12:00:00Z', '2026-05-01T12:00:00Z')`); err != nil {
		t.Fatalf("a scoped rule and a retry rule: %v", err)
	}
	if _, err := provider.DownTo(ctx, 30); err != nil {
		t.Fatalf("down to 30 again: %v", err)
	}
	var n int
	if err := conn.QueryRow(`SELECT COUNT(*) FROM access_rules`).Scan(&n); err != nil || n != 2 {
		t.Errorf("after going back: got %d rules (%v), want the 2 unscoped ones", n, err)
	}
}
