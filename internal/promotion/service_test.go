package promotion_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"ladder/db"
	"ladder/internal/broker"
	"ladder/internal/fault"
	"ladder/internal/gitops"
	"ladder/internal/promotion"
	"ladder/internal/release"
	"ladder/internal/runner"
)

// TestTriggerActor: the automatic trigger may start releases into any environment (the
// trigger tests start them end to end) and may do nothing else to a release.
func TestTriggerActor(t *testing.T) {
	ctx := context.Background()
	conn, err := db.Open(ctx, filepath.Join(t.TempDir(), "ladder.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	rels := release.NewService(conn, broker.New(), time.Now)
	rel, err := rels.Create(ctx, release.Spec{Product: "shop", TriggerEnv: "dev", Initiator: "auto",
		Environments: []release.EnvironmentSpec{{Name: "dev", IsTrigger: true}, {Name: "prod", DependsOn: []string{"dev"}}}},
		func(*release.Tx) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	// The real runner, its workers not started: whatever reached it would show on the release.
	engine := runner.New(conn, rels, gitops.NewStore(t.TempDir()), nil, slog.New(slog.NewTextHandler(io.Discard, nil)), time.Now, runner.Options{})
	svc := promotion.NewService(&promotion.Planner{}, rels, engine, nil, nil)
	who := promotion.Trigger()
	if err := svc.MayPromoteTo(ctx, who, "shop", "prod"); err != nil {
		t.Errorf("the trigger promoting to prod: got %v, want allowed", err)
	}
	for name, act := range map[string]func() error{
		"terminate": func() error { return svc.Terminate(ctx, who, rel.ID) },
		"retry":     func() error { return svc.Retry(ctx, who, rel.ID) },
		"approve": func() error {
			return svc.Decide(ctx, who, promotion.Decision{ReleaseID: rel.ID, StepRunID: 1, Environment: "prod", Approve: true})
		},
	} {
		if err := act(); !errors.Is(err, fault.ErrForbidden) {
			t.Errorf("%s as the trigger: got %v, want forbidden", name, err)
		}
	}
	if got, _ := rels.Get(ctx, rel.ID); got.Status != release.Queued {
		t.Errorf("the release is %s, want it QUEUED as it was", got.Status)
	}
}
