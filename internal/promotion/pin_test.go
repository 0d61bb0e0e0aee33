package promotion_test

import (
	"context"
	"errors"
	"testing"

	"ladder/internal/fault"
	"ladder/internal/pin"
	"ladder/internal/promotion"
	"ladder/internal/user"
)

// TestPinAsksForConfirmation: a person's promotion into a pinned environment is refused with
// a field error naming the pin until they confirm it, then it starts; the trigger's release
// starts without asking (the runner holds it at the pin). Unpinning needs the promote rules of
// the environment, and the trigger may not unpin.
func TestPinAsksForConfirmation(t *testing.T) {
	ctx := context.Background()
	svc, engine, pins := gatedModelWithPins(t)
	if _, err := pins.Set(ctx, pin.Input{Product: "shop", Environment: "staging", Version: "1.0.0", Reason: "bad cache headers", By: "ann"}); err != nil {
		t.Fatal(err)
	}
	admin := promotion.Person(user.User{Name: "root", GroupRole: user.Admin})
	req := promotion.Request{Product: "shop", From: "dev", To: "staging"}

	_, err := svc.Start(ctx, admin, req)
	fe, ok := fault.Fields(err)
	const want = "staging is pinned at 1.0.0 by ann (bad cache headers): confirm to promote anyway"
	if !ok || fe["confirmPin"] != want {
		t.Fatalf("promotion without confirmation: got %v, want the field error confirmPin %q", err, want)
	}
	if len(engine.started) != 0 {
		t.Fatalf("got %d releases started, want none", len(engine.started))
	}
	got, err := svc.PinsFor(ctx, req)
	if err != nil || len(got) != 1 || got[0].Environment != "staging" {
		t.Errorf("PinsFor: got %v %v, want the staging pin", got, err)
	}

	req.ConfirmPins = true
	if _, err := svc.Start(ctx, admin, req); err != nil {
		t.Fatalf("confirmed promotion: got %v, want it started", err)
	}
	if _, err := svc.Start(ctx, promotion.Trigger(), promotion.Request{Product: "shop", From: "dev", To: "staging"}); err != nil {
		t.Fatalf("automatic promotion: got %v, want it started (to wait at the pin)", err)
	}
	if len(engine.started) != 2 {
		t.Fatalf("got %d releases started, want 2", len(engine.started))
	}

	if _, err := svc.Unpin(ctx, promotion.Trigger(), "shop", "staging"); !errors.Is(err, fault.ErrForbidden) {
		t.Errorf("unpin as the trigger: got %v, want forbidden", err)
	}
	viewer := promotion.Person(user.User{Name: "vera", GroupRole: user.Viewer})
	if _, err := svc.Unpin(ctx, viewer, "shop", "staging"); !errors.Is(err, fault.ErrForbidden) {
		t.Errorf("unpin as a viewer: got %v, want forbidden", err)
	}
	if _, err := svc.Unpin(ctx, admin, "shop", "staging"); err != nil {
		t.Fatalf("unpin: %v", err)
	}
	if _, err := svc.Unpin(ctx, admin, "shop", "staging"); !errors.Is(err, fault.ErrNotFound) {
		t.Errorf("unpin twice: got %v, want not found", err)
	}
	if _, err := svc.Start(ctx, admin, promotion.Request{Product: "shop", From: "dev", To: "staging"}); err != nil {
		t.Errorf("promotion after unpinning: got %v, want it started without confirmation", err)
	}
}
