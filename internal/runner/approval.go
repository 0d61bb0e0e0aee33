package runner

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"ladder/db"
	"ladder/internal/fault"
	"ladder/internal/release"
	"ladder/internal/workflow"
)

// Decisions on an approval step.
const (
	decisionApprove = "approve"
	decisionReject  = "reject"
)

// Decision is one person's approval or rejection of a waiting approval step. The caller has
// checked that the person may approve in the step's environment; Decide checks the rest.
type Decision struct {
	ReleaseID   string
	StepRunID   int64
	Environment string // the step's environment, as the person saw it ("" for release hooks)
	User        string
	Groups      []string
	Approve     bool
	Comment     string
}

// Decide records d and wakes the waiting step. It refuses (fault.ErrForbidden) the release's
// initiator unless the step allows self-approval and people outside the step's groups, and
// (fault.ErrConflict) a step that is not waiting for approval or a second decision by the same
// person.
func (r *Runner) Decide(ctx context.Context, d Decision) error {
	err := r.releases.Change(ctx, d.ReleaseID, func(tx *release.Tx) error {
		q := tx.Queries()
		step, wfRun, spec, err := approvalOf(ctx, q, d.ReleaseID, d.StepRunID)
		if err != nil {
			return err
		}
		if wfRun.Environment != d.Environment { // the caller checked the right to approve there
			return fmt.Errorf("step %d of release %s in environment %q: %w", d.StepRunID, d.ReleaseID, d.Environment, fault.ErrNotFound)
		}
		rel, err := tx.Load()
		if err != nil {
			return err
		}
		if err := mayDecide(ctx, q, rel, step, spec, d); err != nil {
			return err
		}
		decision := decisionReject
		if d.Approve {
			decision = decisionApprove
		}
		if err := q.CreateApproval(ctx, db.CreateApprovalParams{StepRunID: step.ID, ReleaseID: d.ReleaseID,
			Environment: wfRun.Environment, Application: wfRun.Application, Step: step.Name, User: d.User,
			Decision: decision, Comment: strings.TrimSpace(d.Comment), At: tx.Now()}); err != nil {
			return fmt.Errorf("record the decision on step %s: %w", step.Name, err)
		}
		sc := scope{kind: wfRun.Scope, workflow: wfRun.Workflow, env: release.Environment{Name: wfRun.Environment},
			app: release.Application{Target: release.Target{Name: wfRun.Application}}}
		msg := fmt.Sprintf("%s %sd step %s of %s%s", d.User, decision, step.Name, sc.label(), comment(d.Comment))
		if err := tx.Event("approval", sc.subject(), msg); err != nil {
			return err
		}
		kind, env, app := sc.job()
		return enqueue(ctx, q, tx.Now(), d.ReleaseID, kind, env, app, tx.Now())
	})
	if err == nil {
		r.Wake()
	}
	return err
}

// approvalOf finds the approval step run id of release rel with its workflow run and settings.
func approvalOf(ctx context.Context, q *db.Queries, rel string, id int64) (db.StepRun, db.WorkflowRun, workflow.ApprovalStep, error) {
	var none workflow.ApprovalStep
	step, err := q.GetStepRunByID(ctx, id)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && step.ReleaseID != rel) {
		return db.StepRun{}, db.WorkflowRun{}, none, fmt.Errorf("step %d of release %s: %w", id, rel, fault.ErrNotFound)
	}
	if err != nil {
		return db.StepRun{}, db.WorkflowRun{}, none, fmt.Errorf("get step %d: %w", id, err)
	}
	wfRun, err := q.GetWorkflowRunByID(ctx, step.WorkflowRunID)
	if err != nil {
		return db.StepRun{}, db.WorkflowRun{}, none, fmt.Errorf("get the workflow run of step %d: %w", id, err)
	}
	spec, err := approvalSpec(wfRun, int(step.StepIndex))
	if err != nil {
		return db.StepRun{}, db.WorkflowRun{}, none, err
	}
	if step.Kind != workflow.KindApproval || step.Status != release.Suspended {
		return db.StepRun{}, db.WorkflowRun{}, none, fmt.Errorf("step %s is not waiting for approval: %w", step.Name, fault.ErrConflict)
	}
	return step, wfRun, spec, nil
}

// approvalSpec is the approval settings of step index of a workflow run, as the run started.
func approvalSpec(wfRun db.WorkflowRun, index int) (workflow.ApprovalStep, error) {
	var wf workflow.Workflow
	if err := json.Unmarshal([]byte(wfRun.Definition), &wf); err != nil {
		return workflow.ApprovalStep{}, fmt.Errorf("workflow run %d: read definition: %w", wfRun.ID, err)
	}
	if index >= len(wf.Steps) || wf.Steps[index].Approval == nil {
		return workflow.ApprovalStep{}, nil
	}
	return *wf.Steps[index].Approval, nil
}

func mayDecide(ctx context.Context, q *db.Queries, rel release.Release, step db.StepRun, spec workflow.ApprovalStep, d Decision) error {
	if rel.Status != release.Running && rel.Status != release.Suspended {
		return fmt.Errorf("release %s is %s: %w", rel.ID, rel.Status, fault.ErrConflict)
	}
	if d.User == rel.Initiator && !spec.AllowSelfApproval {
		return fmt.Errorf("%s started this release and may not approve it; someone else must: %w", d.User, fault.ErrForbidden)
	}
	if len(spec.Groups) > 0 && !slices.ContainsFunc(spec.Groups, func(g string) bool { return slices.Contains(d.Groups, g) }) {
		return fmt.Errorf("only members of %s may decide on step %s: %w", strings.Join(spec.Groups, ", "), step.Name, fault.ErrForbidden)
	}
	votes, err := q.ListApprovalsOfStep(ctx, step.ID)
	if err != nil {
		return fmt.Errorf("list decisions on step %s: %w", step.Name, err)
	}
	if slices.ContainsFunc(votes, func(v db.Approval) bool { return v.User == d.User }) {
		return fmt.Errorf("%s already decided on step %s: %w", d.User, step.Name, fault.ErrConflict)
	}
	return nil
}
