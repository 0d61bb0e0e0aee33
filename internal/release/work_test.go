package release_test

import (
	"context"
	"testing"

	"ladder/db"
	"ladder/internal/release"
)

// TestAnEndedStepKeepsItsEnd: a step's job that looked at a waiting step while a termination
// ended it records "still waiting" afterwards; the step stays ended.
func TestAnEndedStepKeepsItsEnd(t *testing.T) {
	ctx := context.Background()
	rels, id := seededHistory(t, 1)
	var step db.StepRun
	err := rels.Change(ctx, id, func(tx *release.Tx) error {
		wf, err := tx.StartWorkflowRun(db.StartWorkflowRunParams{ReleaseID: id, Environment: "prod", Scope: "environment",
			Workflow: "gate", Definition: "{}", StartedAt: tx.Now()}, "", "")
		if err != nil {
			return err
		}
		if step, err = tx.StartStepRun(db.StartStepRunParams{WorkflowRunID: wf.ID, StepIndex: 0, Name: "sign-off", Kind: "approval"},
			"", func(db.StepRun) string { return "sign-off started" }); err != nil {
			return err
		}
		return tx.SetStepRun(db.SetStepRunParams{ID: step.ID, Status: release.Suspended, Outputs: "{}"}, "", "sign-off waits")
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := rels.Change(ctx, id, func(tx *release.Tx) error {
		return tx.EndWaitingSteps(release.Terminated, "ended with the release")
	}); err != nil {
		t.Fatal(err)
	}
	if err := rels.Change(ctx, id, func(tx *release.Tx) error {
		return tx.SetStepRun(db.SetStepRunParams{ID: step.ID, Status: release.Suspended, Blocker: "waiting for 1 approval", Outputs: "{}"}, "", "sign-off waits")
	}); err != nil {
		t.Fatal(err)
	}
	var got db.StepRun
	if err := rels.Change(ctx, id, func(tx *release.Tx) (err error) { got, _, err = tx.StepRun(step.ID); return err }); err != nil {
		t.Fatal(err)
	}
	if got.Status != release.Terminated || got.Blocker != "" || !got.FinishedAt.Valid {
		t.Errorf("the ended step became %s (blocker %q, finished %v), want TERMINATED and finished", got.Status, got.Blocker, got.FinishedAt.Valid)
	}
}
