package release_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"ladder/db"
	"ladder/internal/loadtest"
	"ladder/internal/release"
)

// BenchmarkReleaseList lists and loads releases from a history of 100,000 (seeded once, which
// takes most of a minute): the newest page, pages filtered by product and by status, a page
// deep in the history, and one whole release as its page shows it.
func BenchmarkReleaseList(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()
	_, middle, err := loadtest.SeedHistory(ctx, dir, 100_000)
	if err != nil {
		b.Fatal(err)
	}
	conn, err := db.Open(ctx, filepath.Join(dir, "ladder.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { conn.Close() })
	rels := release.NewService(conn, nil, time.Now)
	filters := []struct {
		name string
		f    release.Filter
	}{
		{"newest", release.Filter{}},
		{"product", release.Filter{Product: "product-3"}},
		{"status", release.Filter{Status: release.Failed}},
		{"deep", release.Filter{Before: middle}},
	}
	for _, tt := range filters {
		b.Run(tt.name, func(b *testing.B) {
			for b.Loop() {
				page, err := rels.List(ctx, tt.f)
				if err != nil || len(page) != 50 {
					b.Fatalf("got %d releases (%v), want 50", len(page), err)
				}
			}
		})
	}
	b.Run("get", func(b *testing.B) {
		for b.Loop() {
			if _, err := rels.Get(ctx, middle); err != nil {
				b.Fatal(err)
			}
		}
	})
}
