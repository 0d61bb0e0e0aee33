package release_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"ladder/db"
	"ladder/internal/broker"
	"ladder/internal/loadtest"
	"ladder/internal/release"
)

// TestListPagesAndFilters walks a seeded history of 300 releases (one a minute, ten products,
// every twentieth failed) page by page, with and without filters, and checks every page
// against what the history holds.
func TestListPagesAndFilters(t *testing.T) {
	ctx := context.Background()
	rels, _ := seededHistory(t, 300)
	all, err := rels.List(ctx, release.Filter{Limit: 500})
	if err != nil || len(all) != 300 {
		t.Fatalf("everything at once: %d releases, %v; want 300", len(all), err)
	}
	from, to := all[199].CreatedAt, all[99].CreatedAt // the 100 releases from the 101st newest
	tests := []struct {
		name string
		f    release.Filter
		want func(release.Release) bool
	}{
		{"no filter", release.Filter{}, func(release.Release) bool { return true }},
		{"product", release.Filter{Product: "product-3"}, func(r release.Release) bool { return r.Product == "product-3" }},
		{"status", release.Filter{Status: release.Failed}, func(r release.Release) bool { return r.Status == release.Failed }},
		{"time range", release.Filter{From: from, To: to}, func(r release.Release) bool {
			return !r.CreatedAt.Before(from) && r.CreatedAt.Before(to)
		}},
		{"product in a time range", release.Filter{Product: "product-1", From: from, To: to}, func(r release.Release) bool {
			return r.Product == "product-1" && !r.CreatedAt.Before(from) && r.CreatedAt.Before(to)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var want []string
			for _, r := range all {
				if tt.want(r) {
					want = append(want, r.ID)
				}
			}
			var got []string
			f := tt.f
			f.Limit = 7
			for pages := 0; ; pages++ {
				page, err := rels.List(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range page {
					got = append(got, r.ID)
				}
				if len(page) < f.Limit || pages > 100 {
					break
				}
				f.Before = page[len(page)-1].ID
			}
			if len(want) == 0 || len(got) != len(want) {
				t.Fatalf("got %d releases over the pages, want %d (and some)", len(got), len(want))
			}
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("release %d: got %s, want %s", i, got[i], want[i])
				}
			}
		})
	}
}

// seededHistory seeds n releases (loadtest.SeedHistory) and returns the service over them and
// the ID of the release in the middle.
func seededHistory(tb testing.TB, n int) (*release.Service, string) {
	tb.Helper()
	ctx := context.Background()
	dir := tb.TempDir()
	_, middle, err := loadtest.SeedHistory(ctx, dir, n)
	if err != nil {
		tb.Fatal(err)
	}
	conn, err := db.Open(ctx, filepath.Join(dir, "ladder.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { conn.Close() })
	return release.NewService(conn, broker.New(), time.Now), middle
}

// TestListEnvironmentsFollowTheirChanges: the list's environment statuses (kept on each
// release by triggers) are those the release's own environments hold, for every release of a
// seeded history and after a status changes.
func TestListEnvironmentsFollowTheirChanges(t *testing.T) {
	ctx := context.Background()
	rels, middle := seededHistory(t, 60)
	same := func(t *testing.T) {
		t.Helper()
		all, err := rels.List(ctx, release.Filter{Limit: 500})
		if err != nil {
			t.Fatal(err)
		}
		for _, listed := range all {
			full, err := rels.Get(ctx, listed.ID)
			if err != nil {
				t.Fatal(err)
			}
			var want, got []string
			for _, e := range full.Environments {
				want = append(want, e.Name+" "+e.Status)
			}
			for _, e := range listed.Environments {
				got = append(got, e.Name+" "+e.Status)
			}
			if !slices.Equal(got, want) {
				t.Fatalf("release %s: the list has %v, the release %v", listed.ID, got, want)
			}
		}
	}
	same(t)
	rel, err := rels.Get(ctx, middle)
	if err != nil {
		t.Fatal(err)
	}
	e := rel.Environments[len(rel.Environments)-1]
	e.Status = release.Skipped
	if err := rels.Change(ctx, middle, func(tx *release.Tx) error { return tx.SetEnvironment(e, "skipped for the test") }); err != nil {
		t.Fatal(err)
	}
	same(t)
	page, err := rels.List(ctx, release.Filter{Before: middle + "~", Limit: 1})
	if err != nil || len(page) != 1 || page[0].ID != middle {
		t.Fatalf("listing the changed release: %v, %v", page, err)
	}
	if got := page[0].Environments[len(page[0].Environments)-1].Status; got != release.Skipped {
		t.Errorf("after the change the list shows %s, want %s", got, release.Skipped)
	}
}

// TestRowsAreTheListsShownFields: Rows gives, for every filter, the releases List gives, with
// the fields the releases page shows (the creation time to the millisecond, as the ID has it).
func TestRowsAreTheListsShownFields(t *testing.T) {
	ctx := context.Background()
	rels, middle := seededHistory(t, 120)
	for _, f := range []release.Filter{{}, {Product: "product-3"}, {Status: release.Failed}, {Before: middle, Limit: 9}, {Manual: true}} {
		full, err := rels.List(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := rels.Rows(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		shown := func(id, product string, number int64, flow, version, status string, created time.Time, envs []string) string {
			return fmt.Sprint(id, product, number, flow, version, status, created.Truncate(time.Millisecond), envs)
		}
		listed := func(r release.Release) string {
			var envs []string
			for _, e := range r.Environments {
				envs = append(envs, e.Name+":"+e.Status)
			}
			return shown(r.ID, r.Product, r.Number, r.FlowLabel(), r.Version, r.Status, r.CreatedAt, envs)
		}
		row := func(r release.Row) string {
			var envs []string
			for _, e := range r.Environments() {
				envs = append(envs, e.Name+":"+e.Status)
			}
			return shown(r.ID, r.Product, r.Number, r.FlowLabel(), r.Version, r.Status, r.CreatedAt, envs)
		}
		if len(rows) != len(full) {
			t.Fatalf("filter %+v: %d rows, %d releases listed", f, len(rows), len(full))
		}
		for i := range rows {
			if got, want := row(rows[i]), listed(full[i]); got != want {
				t.Errorf("filter %+v, row %d: got %s, want %s", f, i, got, want)
			}
		}
	}
}
