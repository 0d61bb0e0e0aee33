package audit_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"ladder/db"
	"ladder/internal/audit"
)

// BenchmarkLog reads pages of an audit log of 100,000 records, as a year of releases leaves
// it (a record for each start), through each filter: the newest page, a page 80,000 records
// deep, one actor's and one kind's (each 1 record in 1,000), and the kinds for the filter.
func BenchmarkLog(b *testing.B) {
	ctx := context.Background()
	conn, err := db.Open(ctx, filepath.Join(b.TempDir(), "ladder.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { conn.Close() })
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	const records = 100_000
	err = db.InTx(ctx, conn, func(q *db.Queries) error {
		for i := range records {
			e := audit.Entry{Actor: "token:ci", Action: "start", Kind: "release", Name: "shop"}
			if i%1000 == 0 {
				e = audit.Entry{Actor: "ada", Action: "update", Kind: "policy", Name: "prod-approval"}
			}
			if err := audit.Record(ctx, q, start.Add(time.Duration(i)*time.Minute), e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	log := audit.NewLog(conn)
	deep := audit.Cursor{At: start.Add(20_000 * time.Minute), ID: 20_001}
	for _, c := range []struct {
		name   string
		filter audit.Filter
		after  audit.Cursor
	}{
		{"newest page", audit.Filter{}, audit.Cursor{}},
		{"a deep page", audit.Filter{}, deep},
		{"one actor", audit.Filter{Actor: "ada"}, audit.Cursor{}},
		{"one kind", audit.Filter{Kind: "policy"}, audit.Cursor{}},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				recs, _, err := log.Page(ctx, c.filter, c.after, 50)
				if err != nil || len(recs) != 50 {
					b.Fatalf("got %d records, %v; want 50", len(recs), err)
				}
			}
		})
	}
	b.Run("kinds", func(b *testing.B) {
		for b.Loop() {
			if kinds, err := log.Kinds(ctx); err != nil || len(kinds) != 2 {
				b.Fatalf("got kinds %q, %v; want 2", kinds, err)
			}
		}
	})
}
