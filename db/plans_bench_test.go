package db

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// BenchmarkActiveWork asks what TestActiveWorkIsFoundWithoutReadingHistory looks at, against a
// product with 10,000 releases behind it (3 still at work) and their 20,000 applications (2
// waiting for a merge): the cost of finding the work grows with what is at work, not with the
// history.
func BenchmarkActiveWork(b *testing.B) {
	ctx := context.Background()
	conn := openTest(b)
	const releases = 10_000
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	err := InTx(ctx, conn, func(q *Queries) error {
		for i := range releases {
			id := fmt.Sprintf("r%08d", i)
			status, phase := "SUCCEEDED", "done"
			if i >= releases-3 {
				status = []string{"RUNNING", "QUEUED", "QUEUED"}[releases-1-i]
			}
			if i >= releases-2 {
				phase = "merge"
			}
			if err := q.CreateRelease(ctx, CreateReleaseParams{ID: id, Product: "shop", Number: int64(i + 1), Flow: "main",
				Version: fmt.Sprintf("1.0.%d", i), Initiator: "auto", Status: status, Plan: "{}", TimeoutMinutes: 60,
				CreatedAt: start.Add(time.Duration(i) * time.Minute)}); err != nil {
				return err
			}
			for _, env := range []string{"staging", "prod"} {
				appStatus := "SUCCEEDED"
				if phase == "merge" && env == "prod" {
					appStatus = "RUNNING"
				}
				if err := q.CreateReleaseApplication(ctx, CreateReleaseApplicationParams{ReleaseID: id, Environment: env,
					Name: "shop-" + env, RepoUrl: "file:///srv/git/shop-" + env + ".git", Phase: phase, Status: appStatus}); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	q := New(conn)
	b.Run("active releases of a product", func(b *testing.B) {
		for b.Loop() {
			active, err := q.ActiveReleasesOfProduct(ctx, "shop")
			if err != nil || len(active) != 3 {
				b.Fatalf("got %d active releases, %v; want 3", len(active), err)
			}
		}
	})
	b.Run("applications waiting for a merge", func(b *testing.B) {
		for b.Loop() {
			waits, err := q.ListMergeWaits(ctx)
			if err != nil || len(waits) != 2 {
				b.Fatalf("got %d waits, %v; want 2", len(waits), err)
			}
		}
	})
}
