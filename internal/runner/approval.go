package runner

import (
	"context"
	"encoding/json"
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

// Decision is one person's approval or rejection of a waiting approval step.
type Decision = release.Decision

// Decide records d and wakes the waiting step. It refuses (fault.ErrForbidden) the release's
// initiator unless the step allows self-approval and people outside the step's groups, and
// (fault.ErrConflict) a step that is not waiting for approval or a second decision by the same
// person.
func (r *Runner) Decide(ctx context.Context, d Decision) error {
	err := r.releases.Change(ctx, d.ReleaseID, func(tx *release.Tx) error {
		step, wfRun, spec, err := approvalOf(tx, d.StepRunID)
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
		if err := mayDecide(tx, rel, step, spec, d); err != nil {
			return err
		}
		decision := decisionReject
		if d.Approve {
			decision = decisionApprove
		}
		sc := scope{kind: wfRun.Scope, workflow: wfRun.Workflow, env: release.Environment{Name: wfRun.Environment},
			app: release.Application{Target: release.Target{Name: wfRun.Application}}}
		msg := fmt.Sprintf("%s %s step %s of %s%s", d.User, decided(decision), step.Name, sc.label(), comment(d.Comment))
		if err := tx.Decide(db.CreateApprovalParams{StepRunID: step.ID, Environment: wfRun.Environment,
			Application: wfRun.Application, Step: step.Name, User: d.User, Decision: decision,
			Comment: strings.TrimSpace(d.Comment)}, sc.subject(), msg); err != nil {
			return err
		}
		if err := tx.Audit(d.User, decision, fmt.Sprintf("step %s of %s%s", step.Name, sc.label(), comment(d.Comment))); err != nil {
			return err
		}
		kind, env, app := sc.job()
		return tx.Queue(kind, env, app, tx.Now())
	})
	if err == nil {
		r.Wake()
	}
	return err
}

// decided is the past tense of a decision, as events and the audit log say it.
func decided(decision string) string {
	if decision == decisionApprove {
		return "approved"
	}
	return "rejected"
}

// approvalOf finds the approval step run id of the release with its workflow run and settings.
func approvalOf(tx *release.Tx, id int64) (db.StepRun, db.WorkflowRun, workflow.ApprovalStep, error) {
	var none workflow.ApprovalStep
	step, wfRun, err := tx.StepRun(id)
	if err != nil {
		return db.StepRun{}, db.WorkflowRun{}, none, err
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

func mayDecide(tx *release.Tx, rel release.Release, step db.StepRun, spec workflow.ApprovalStep, d Decision) error {
	if rel.Status != release.Running && rel.Status != release.Suspended {
		return fmt.Errorf("release %s is %s: %w", rel.ID, rel.Status, fault.ErrConflict)
	}
	if d.User == rel.Initiator && !spec.AllowSelfApproval {
		return fmt.Errorf("%s started this release and may not approve it; someone else must: %w", d.User, fault.ErrForbidden)
	}
	if len(spec.Groups) > 0 && !slices.ContainsFunc(spec.Groups, func(g string) bool { return slices.Contains(d.Groups, g) }) {
		return fmt.Errorf("only members of %s may decide on step %s: %w", strings.Join(spec.Groups, ", "), step.Name, fault.ErrForbidden)
	}
	votes, err := tx.Decisions(step.ID)
	if err != nil {
		return err
	}
	if slices.ContainsFunc(votes, func(v db.Approval) bool { return v.User == d.User }) {
		return fmt.Errorf("%s already decided on step %s: %w", d.User, step.Name, fault.ErrConflict)
	}
	return nil
}
