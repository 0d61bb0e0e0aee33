package db

import (
	"strings"
	"testing"
)

// TestReleaseListReadsOnlyItsIndex: the releases list, with or without filters, is read from
// the releases_list index alone, never from the table's rows.
func TestReleaseListReadsOnlyItsIndex(t *testing.T) {
	conn := openTest(t)
	for _, args := range [][]any{
		{"", "~", nil, nil, nil, 50},
		{"", "01a2", "shop", "FAILED", "main", 50},
	} {
		rows, err := conn.Query("EXPLAIN QUERY PLAN "+listReleaseRows, args...)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		if len(plan) != 1 || !strings.Contains(plan[0], "USING COVERING INDEX releases_list") {
			t.Errorf("arguments %v: the plan is %q, want one search of the covering index releases_list", args, plan)
		}
	}
}
