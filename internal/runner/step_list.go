package runner

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"ladder/internal/workflow"
)

// StepRun is one step of a workflow run in a release, as the release page shows it.
type StepRun struct {
	ID          int64
	Environment string // empty for release hooks
	Application string // empty for hooks
	Scope       string // pre, post, hook-pre, hook-post, hook-onFail, onStart, onSuccess, onFail
	Label       string // "pre-action smoke"
	Name        string
	Kind        string
	Status      string
	Blocker     string
	Error       string
	Log         string
	Attempt     int64
	StartedAt   time.Time
	FinishedAt  *time.Time
	// Approval is the step's settings when it is an approval step; Decisions are who decided.
	Approval  *workflow.ApprovalStep
	Decisions []Decided
}

// Decided is one person's decision on an approval step.
type Decided struct {
	User     string
	Approved bool
	Comment  string
	At       time.Time
}

// Duration is how long the step ran, or has run so far at now.
func (s StepRun) Duration(now time.Time) time.Duration {
	end := now
	if s.FinishedAt != nil {
		end = *s.FinishedAt
	}
	return end.Sub(s.StartedAt).Round(100 * time.Millisecond)
}

// Steps returns the step runs of release id, oldest first, with approval decisions.
func (r *Runner) Steps(ctx context.Context, id string) ([]StepRun, error) {
	rows, err := r.q.ListStepRunsOfRelease(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("list the steps of release %s: %w", id, err)
	}
	runs, err := r.q.ListWorkflowRuns(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("list the workflow runs of release %s: %w", id, err)
	}
	defs := map[int64]workflow.Workflow{}
	for _, w := range runs {
		var wf workflow.Workflow
		if json.Unmarshal([]byte(w.Definition), &wf) == nil {
			defs[w.ID] = wf
		}
	}
	votes, err := r.q.ListApprovalsOfRelease(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("list the approvals of release %s: %w", id, err)
	}
	decided := map[int64][]Decided{}
	for _, v := range votes {
		decided[v.StepRunID] = append(decided[v.StepRunID], Decided{User: v.User, Approved: v.Decision == decisionApprove, Comment: v.Comment, At: v.At.UTC()})
	}
	out := make([]StepRun, 0, len(rows))
	for _, row := range rows {
		s := StepRun{ID: row.ID, Environment: row.Environment, Application: row.Application, Scope: row.Scope,
			Label: scope{kind: row.Scope, workflow: row.Workflow}.label(), Name: row.Name, Kind: row.Kind,
			Status: row.Status, Blocker: row.Blocker, Error: row.Error, Log: row.Log, Attempt: row.Attempt,
			StartedAt: row.StartedAt.UTC(), Decisions: decided[row.ID]}
		if row.FinishedAt.Valid {
			t := row.FinishedAt.Time.UTC()
			s.FinishedAt = &t
		}
		if wf, ok := defs[row.WorkflowRunID]; ok && int(row.StepIndex) < len(wf.Steps) {
			s.Approval = wf.Steps[row.StepIndex].Approval
		}
		out = append(out, s)
	}
	return out, nil
}
