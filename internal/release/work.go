package release

import (
	"database/sql"
	"errors"
	"fmt"
	"time"

	"ladder/db"
	"ladder/internal/fault"
)

// This file holds what the runner writes beside a release's own state: its jobs, its workflow
// and step runs, decisions on approval steps, and other releases of the product it supersedes
// or wakes. Each write lands in the Tx's transaction; each change people should see records an
// event.

// Queue asks for a job of kind (advance, application, hook) on this release at or after at.
// Asking again for a job that already waits keeps the earlier time; asking for one that runs
// makes it run once more afterwards.
func (tx *Tx) Queue(kind, env, app string, at time.Time) error {
	return queue(tx, tx.id, kind, env, app, at)
}

func queue(tx *Tx, id, kind, env, app string, at time.Time) error {
	err := tx.q.EnqueueJob(tx.ctx, db.EnqueueJobParams{ReleaseID: id, Kind: kind, Environment: env,
		Application: app, RunAfter: at.UTC(), CreatedAt: tx.now})
	if err != nil {
		return fmt.Errorf("enqueue %s job for release %s: %w", kind, id, err)
	}
	return nil
}

// JobAdvance is the job kind that decides what a release does next.
const JobAdvance = "advance"

// InFlight is a release that is not over (queued, running, suspended or terminating), as a
// product's queue sees it.
type InFlight struct {
	ID     string
	Number int64
	Status string
}

// Active lists the product's releases that are not over, oldest first.
func (tx *Tx) Active(product string) ([]InFlight, error) {
	rows, err := tx.q.ActiveReleasesOfProduct(tx.ctx, product)
	if err != nil {
		return nil, fmt.Errorf("list active releases of %s: %w", product, err)
	}
	out := make([]InFlight, len(rows))
	for i, row := range rows {
		out[i] = InFlight{ID: row.ID, Number: row.Number, Status: row.Status}
	}
	return out, nil
}

// EnvironmentStatus is the status of environment env of release id ("" when it has none).
func (tx *Tx) EnvironmentStatus(id, env string) (string, error) {
	envs, err := tx.q.ListReleaseEnvironments(tx.ctx, id)
	if err != nil {
		return "", fmt.Errorf("list environments of release %s: %w", id, err)
	}
	for _, e := range envs {
		if e.Name == env {
			return e.Status, nil
		}
	}
	return "", nil
}

// Supersede asks the older release old to terminate because this release reached env: old
// becomes TERMINATING with reason, both releases record why, and old's advance job ends it.
func (tx *Tx) Supersede(old InFlight, reason, env string) error {
	if err := tx.q.SupersedeRelease(tx.ctx, db.SupersedeReleaseParams{ID: old.ID, Error: reason}); err != nil {
		return fmt.Errorf("supersede release %s: %w", old.ID, err)
	}
	if _, err := tx.q.CreateReleaseEvent(tx.ctx, db.CreateReleaseEventParams{ReleaseID: old.ID, Kind: "release",
		Message: "release " + reason + " in " + env, At: tx.now}); err != nil {
		return fmt.Errorf("record the supersession of %s: %w", old.ID, err)
	}
	if err := queue(tx, old.ID, JobAdvance, "", "", tx.now); err != nil {
		return err
	}
	return tx.Event("release", "", fmt.Sprintf("supersedes release #%d in %s", old.Number, env))
}

// Wake asks release id (another of the product) to look again at once: the one ahead of it
// ended.
func (tx *Tx) Wake(id string) error { return queue(tx, id, JobAdvance, "", "", tx.now) }

// WorkflowRun returns the workflow run of a scope of this release (sql.ErrNoRows when it has
// not started).
func (tx *Tx) WorkflowRun(env, app, scope string, run int64) (db.WorkflowRun, error) {
	return tx.q.GetWorkflowRun(tx.ctx, db.GetWorkflowRunParams{ReleaseID: tx.id, Environment: env,
		Application: app, Scope: scope, Run: run})
}

// StartWorkflowRun creates the workflow run p describes (or returns it when it exists) and
// records message.
func (tx *Tx) StartWorkflowRun(p db.StartWorkflowRunParams, subject, message string) (db.WorkflowRun, error) {
	p.ReleaseID, p.StartedAt = tx.id, tx.now
	row, err := tx.q.StartWorkflowRun(tx.ctx, p)
	if err != nil {
		return row, fmt.Errorf("start workflow run %s: %w", p.Workflow, err)
	}
	return row, tx.Event("workflow", subject, message)
}

// FinishWorkflowRun records how workflow run id ended, and message.
func (tx *Tx) FinishWorkflowRun(id int64, status, reason, subject, message string) error {
	if err := tx.q.FinishWorkflowRun(tx.ctx, db.FinishWorkflowRunParams{ID: id, Status: status,
		Error: reason, FinishedAt: sql.NullTime{Time: tx.now, Valid: true}}); err != nil {
		return fmt.Errorf("finish workflow run %d: %w", id, err)
	}
	return tx.Event("workflow", subject, message)
}

// StartStepRun starts the step p describes, or starts it again from the beginning when it was
// cut short, and records the message that message returns for the new row.
func (tx *Tx) StartStepRun(p db.StartStepRunParams, subject string, message func(db.StepRun) string) (db.StepRun, error) {
	p.ReleaseID, p.StartedAt = tx.id, tx.now
	row, err := tx.q.StartStepRun(tx.ctx, p)
	if err != nil {
		return row, fmt.Errorf("start step %s: %w", p.Name, err)
	}
	return row, tx.Event("step", subject, message(row))
}

// SetStepRun stores a step run's state; message, when not empty, is recorded (a step whose
// state did not change records nothing). A step that already ended keeps its end and records
// nothing: a termination ends the waiting steps while their jobs may still be looking.
func (tx *Tx) SetStepRun(p db.SetStepRunParams, subject, message string) error {
	n, err := tx.q.SetStepRun(tx.ctx, p)
	if err != nil {
		return fmt.Errorf("record step run %d: %w", p.ID, err)
	}
	if n == 0 || message == "" {
		return nil
	}
	return tx.Event("step", subject, message)
}

// SetArgoStepWorkflow records an Argo step's workflow: whether it was submitted and how far its
// log was copied.
func (tx *Tx) SetArgoStepWorkflow(p db.SetArgoStepWorkflowParams) error {
	if err := tx.q.SetArgoStepWorkflow(tx.ctx, p); err != nil {
		return fmt.Errorf("record the Argo workflow of step run %d: %w", p.StepRunID, err)
	}
	return nil
}

// SetStepLog stores the log of step run id and drops the events that announced its growth
// (logSubject); message, when not empty, becomes the one such event.
func (tx *Tx) SetStepLog(id int64, text, logSubject, message string) error {
	if err := tx.q.SetStepLog(tx.ctx, db.SetStepLogParams{ID: id, Log: text}); err != nil {
		return fmt.Errorf("store the log of step run %d: %w", id, err)
	}
	if err := tx.q.DeleteLogEvents(tx.ctx, db.DeleteLogEventsParams{ReleaseID: tx.id, Subject: logSubject}); err != nil {
		return fmt.Errorf("drop log events of step run %d: %w", id, err)
	}
	if message == "" {
		return nil
	}
	return tx.Event("log", logSubject, message)
}

// StepRun returns step run id of this release (fault.ErrNotFound when it has none such).
func (tx *Tx) StepRun(id int64) (db.StepRun, db.WorkflowRun, error) {
	step, err := tx.q.GetStepRunByID(tx.ctx, id)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && step.ReleaseID != tx.id) {
		return db.StepRun{}, db.WorkflowRun{}, fmt.Errorf("step %d of release %s: %w", id, tx.id, fault.ErrNotFound)
	}
	if err != nil {
		return db.StepRun{}, db.WorkflowRun{}, fmt.Errorf("get step %d: %w", id, err)
	}
	wfRun, err := tx.q.GetWorkflowRunByID(tx.ctx, step.WorkflowRunID)
	if err != nil {
		return db.StepRun{}, db.WorkflowRun{}, fmt.Errorf("get the workflow run of step %d: %w", id, err)
	}
	return step, wfRun, nil
}

// Decisions lists the decisions taken on step run id.
func (tx *Tx) Decisions(id int64) ([]db.Approval, error) {
	votes, err := tx.q.ListApprovalsOfStep(tx.ctx, id)
	if err != nil {
		return nil, fmt.Errorf("list decisions on step run %d: %w", id, err)
	}
	return votes, nil
}

// Decide records a decision on an approval step, and message.
func (tx *Tx) Decide(p db.CreateApprovalParams, subject, message string) error {
	p.ReleaseID, p.At = tx.id, tx.now
	if err := tx.q.CreateApproval(tx.ctx, p); err != nil {
		return fmt.Errorf("record the decision on step %s: %w", p.Step, err)
	}
	return tx.Event("approval", subject, message)
}

// EndWaitingSteps ends every step of this release still waiting (SUSPENDED) with status and
// reason: when a release is terminated its approval steps stop waiting, so a retry asks
// afresh and no stale step offers a decision.
func (tx *Tx) EndWaitingSteps(status, reason string) error {
	n, err := tx.q.EndWaitingSteps(tx.ctx, db.EndWaitingStepsParams{Status: status, Error: reason,
		FinishedAt: sql.NullTime{Time: tx.now, Valid: true}, ReleaseID: tx.id})
	if err != nil {
		return fmt.Errorf("end the waiting steps of release %s: %w", tx.id, err)
	}
	if n == 0 {
		return nil
	}
	return tx.Event("step", "", fmt.Sprintf("%d waiting step(s) %s", n, reason))
}

// DeployedIn is what the newest release of product that succeeded in env (not as its trigger)
// wrote there, read in this transaction; ok is false when none has.
func (tx *Tx) DeployedIn(product, env string) (d Deployed, ok bool, err error) {
	return deployedIn(tx.ctx, tx.q, product, env)
}
