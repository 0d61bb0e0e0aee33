package db

import (
	"database/sql"
	"strings"
	"testing"
)

// queryPlan is how SQLite says it will run query with args: one line a step.
func queryPlan(t *testing.T, conn *sql.DB, query string, args ...any) []string {
	t.Helper()
	rows, err := conn.Query("EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return plan
}

// TestReleaseListReadsOnlyItsIndex: the releases list, with or without filters, is read from
// the releases_list index alone, never from the table's rows.
func TestReleaseListReadsOnlyItsIndex(t *testing.T) {
	conn := openTest(t)
	for _, args := range [][]any{
		{"", "~", nil, nil, nil, 50},
		{"", "01a2", "shop", "FAILED", "main", 50},
	} {
		plan := queryPlan(t, conn, listReleaseRows, args...)
		if len(plan) != 1 || !strings.Contains(plan[0], "USING COVERING INDEX releases_list") {
			t.Errorf("arguments %v: the plan is %q, want one search of the covering index releases_list", args, plan)
		}
	}
}

// TestActiveWorkIsFoundWithoutReadingHistory: the queries the runner and the webhooks ask at
// every release start, step, push and end look up the few releases, applications or pull
// requests concerned through an index, not through everything ever run.
func TestActiveWorkIsFoundWithoutReadingHistory(t *testing.T) {
	conn := openTest(t)
	for _, c := range []struct {
		name, query, want string
		args              []any
	}{
		{"active releases of a product", activeReleasesOfProduct, "SEARCH releases USING INDEX releases_product_status (product=? AND status=?)", []any{"shop"}},
		{"applications waiting for a merge", listMergeWaits, "SCAN release_applications USING INDEX release_applications_merge_waits", nil},
		{"pull requests a release closed", listClosedPullRequests, "SEARCH closed_pull_requests USING INDEX closed_pull_requests_release (release_id=?)", []any{"r1"}},
	} {
		plan := queryPlan(t, conn, c.query, c.args...)
		if len(plan) == 0 || plan[0] != c.want {
			t.Errorf("%s: the plan is %q, want it to begin %q", c.name, plan, c.want)
		}
	}
}

// TestAuditPagesAreRangesOfTheirIndex: a page of the audit log, whichever filter it has and
// however deep, is a range of the index its filter names, and the kinds for the filter are a
// leap from kind to kind: neither reads the whole log.
func TestAuditPagesAreRangesOfTheirIndex(t *testing.T) {
	conn := openTest(t)
	for _, c := range []struct {
		name, query, want string
		args              []any
	}{
		{"any record", listAuditPage, "SEARCH audit_log USING INDEX audit_log_at (at>? AND at<?)", []any{"", "9", 1, 51}},
		{"one actor's", listAuditPageOfActor, "SEARCH audit_log USING INDEX audit_log_actor (actor=? AND at>? AND at<?)", []any{"ada", "", "9", 1, nil, nil, 51}},
		{"one kind's", listAuditPageOfKind, "SEARCH audit_log USING INDEX audit_log_kind_at (entity_kind=? AND at>? AND at<?)", []any{"user", "", "9", 1, 51}},
	} {
		if plan := queryPlan(t, conn, c.query, c.args...); len(plan) != 1 || plan[0] != c.want {
			t.Errorf("%s: the plan is %q, want %q", c.name, plan, c.want)
		}
	}
	for _, step := range queryPlan(t, conn, listAuditKinds) {
		if strings.HasPrefix(step, "SCAN audit_log") {
			t.Errorf("the kinds read the whole log: %q", step)
		}
	}
}
