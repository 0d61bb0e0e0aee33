package release_test

import (
	"context"
	"testing"

	"ladder/internal/release"
)

// BenchmarkReleaseList lists and loads releases from a history of 100,000 (seeded once, which
// takes most of a minute): the newest page, pages filtered by product and by status, a page
// deep in the history, and one whole release as its page shows it.
func BenchmarkReleaseList(b *testing.B) {
	ctx := context.Background()
	rels, middle := seededHistory(b, 100_000)
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
