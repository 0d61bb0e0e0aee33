package audit_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"ladder/db"
	"ladder/internal/audit"
)

func TestLogPagesByKeysetWithFilters(t *testing.T) {
	ctx := context.Background()
	conn, err := db.Open(ctx, filepath.Join(t.TempDir(), "ladder.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	q := db.New(conn)
	start := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	// 30 records, two per timestamp (same `at` must still page exactly), alternating actors.
	for i := range 30 {
		at := start.Add(time.Duration(i/2) * 90 * time.Minute) // pairs share a time
		actor := []string{"ada", "bo"}[i%2]
		kind := []string{"environment", "user", "token"}[i%3]
		if err := audit.Record(ctx, q, at, audit.Entry{Actor: actor, Action: "create", Kind: kind, Name: fmt.Sprint("n", i)}); err != nil {
			t.Fatal(err)
		}
	}
	log := audit.NewLog(conn)
	tests := []struct {
		name   string
		filter audit.Filter
		want   int
	}{
		{"all", audit.Filter{}, 30},
		{"actor", audit.Filter{Actor: "ada"}, 15},
		{"kind", audit.Filter{Kind: "user"}, 10},
		{"date range", audit.Filter{From: start.Add(3 * time.Hour), To: start.Add(6 * time.Hour)}, 4},
		{"actor and kind", audit.Filter{Actor: "bo", Kind: "environment"}, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			seen := map[int64]bool{}
			var prev audit.Stored
			cursor := audit.Cursor{}
			for page := 0; ; page++ {
				recs, next, err := log.Page(ctx, tt.filter, audit.ParseCursor(cursor.String()), 4)
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range recs {
					if seen[r.ID] {
						t.Fatalf("record %d seen twice", r.ID)
					}
					if prev.ID != 0 && (r.At.After(prev.At) || (r.At.Equal(prev.At) && r.ID > prev.ID)) {
						t.Fatalf("record %d out of order after %d", r.ID, prev.ID)
					}
					seen[r.ID], prev = true, r
				}
				if next == (audit.Cursor{}) {
					break
				}
				cursor = next
			}
			if len(seen) != tt.want {
				t.Errorf("got %d records, want %d", len(seen), tt.want)
			}
		})
	}
}
