package runner

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"ladder/db"
	"ladder/internal/release"
	"ladder/internal/workflow"
)

// stepKind carries out one kind of workflow step. run starts the step or, when it waited,
// looks again; it must not sleep: a step that has to wait returns when to look again.
type stepKind interface {
	run(ctx context.Context, c *stepCall) stepResult
}

// kindOf returns the step's kind.
func kindOf(s workflow.Step) (stepKind, error) {
	switch {
	case s.HTTP != nil:
		return httpStep{s.HTTP}, nil
	case s.Exec != nil:
		return execStep{s.Exec}, nil
	case s.Approval != nil:
		return approvalStep{s.Approval}, nil
	case s.Wait != nil:
		return waitStep{s.Wait}, nil
	case s.Argo != nil:
		return argoStep{s.Argo}, nil
	}
	return nil, fmt.Errorf("step %s: kind %q cannot run", s.Name, s.Kind)
}

// stepResult is what one call of a step did: status is release.Succeeded, Failed or
// Terminated once it ended; empty while it waits until retry for the reason in blocker.
type stepResult struct {
	status  string
	err     string
	retry   time.Time
	blocker string
	outputs map[string]string
	tries   int64 // HTTP requests made so far
}

func succeeded(outputs map[string]string) stepResult {
	return stepResult{status: release.Succeeded, outputs: outputs}
}

func failed(format string, args ...any) stepResult {
	return stepResult{status: release.Failed, err: fmt.Sprintf(format, args...)}
}

func waiting(until time.Time, blocker string) stepResult {
	return stepResult{retry: until, blocker: blocker}
}

// stepCall is one call of one step of a workflow run.
type stepCall struct {
	r        *Runner
	sc       scope
	wfRun    db.WorkflowRun
	index    int
	step     workflow.Step
	deadline time.Time // the workflow's timeout
	params   params
	row      db.StepRun
	log      *stepLog
	// alongLog are writes that must land with the step's log, in the transaction that records
	// the step (how far an outside log was copied, say).
	alongLog []func(*release.Tx) error
}

// runStep runs step c.index unless it already finished, and records what it did.
func (r *Runner) runStep(ctx context.Context, c stepCall, base params) (stepResult, error) {
	q := db.New(r.conn)
	row, err := q.GetStepRun(ctx, db.GetStepRunParams{WorkflowRunID: c.wfRun.ID, StepIndex: int64(c.index)})
	switch {
	case err == nil && release.Final(row.Status):
		return stepResult{status: row.Status, err: row.Error}, nil
	case err == nil && row.Status == release.Suspended:
		// a waiting step looks again
	case err == nil || errors.Is(err, sql.ErrNoRows):
		// new, or cut short by a crash: (re)start it from the beginning
		if row, err = r.startStep(ctx, c); err != nil {
			return stepResult{}, err
		}
	default:
		return stepResult{}, fmt.Errorf("read step %s: %w", c.step.Name, err)
	}
	kind, err := kindOf(c.step)
	if err != nil {
		return failed("%v", err), r.recordStep(ctx, &c, failed("%v", err))
	}
	rows, err := q.ListReleaseOutputs(ctx, c.sc.rel.ID)
	if err != nil {
		return stepResult{}, fmt.Errorf("read the outputs of release %s: %w", c.sc.rel.ID, err)
	}
	c.params, c.row, c.log = base.withOutputs(decodeOutputs(rows)), row, newStepLog(row.Log)
	stepCtx, stop := r.guard(ctx, &c)
	res := kind.run(stepCtx, &c)
	res = c.log.maskResult(res) // a workflow secret never shows in what the step reports
	cause := stop()
	switch {
	case ctx.Err() != nil:
		return stepResult{}, ctx.Err() // shutting down: the step starts again after a restart
	case errors.Is(cause, errTerminated):
		res = stepResult{status: release.Terminated, err: "terminated while running"}
	case errors.Is(cause, errWorkflowTimeout) && res.status != release.Succeeded:
		res = failed("the workflow timed out")
	}
	return res, r.recordStep(ctx, &c, res)
}

func decodeOutputs(rows []string) []map[string]string {
	var out []map[string]string
	for _, raw := range rows {
		var m map[string]string
		if json.Unmarshal([]byte(raw), &m) == nil {
			out = append(out, m)
		}
	}
	return out
}

func (r *Runner) startStep(ctx context.Context, c stepCall) (db.StepRun, error) {
	var row db.StepRun
	err := r.releases.Change(ctx, c.sc.rel.ID, func(tx *release.Tx) (err error) {
		row, err = tx.StartStepRun(db.StartStepRunParams{WorkflowRunID: c.wfRun.ID,
			StepIndex: int64(c.index), Name: c.step.Name, Kind: c.step.Kind}, c.sc.subject(), func(row db.StepRun) string {
			if row.Attempt > 1 {
				return fmt.Sprintf("%s: step %s started again from the beginning (attempt %d; the previous one was cut short)", c.sc.label(), c.step.Name, row.Attempt)
			}
			return fmt.Sprintf("%s: step %s started", c.sc.label(), c.step.Name)
		})
		return err
	})
	return row, err
}

// recordStep stores the step's new state and its log; it announces a change of state.
func (r *Runner) recordStep(ctx context.Context, c *stepCall, res stepResult) error {
	status, finished := release.Suspended, sql.NullTime{}
	if res.status != "" {
		status = res.status
	}
	outputs, _ := json.Marshal(res.outputs) // a map of strings always encodes
	if res.outputs == nil {
		outputs = []byte("{}")
	}
	return r.releases.Change(ctx, c.sc.rel.ID, func(tx *release.Tx) error {
		if res.status != "" {
			finished = sql.NullTime{Time: tx.Now(), Valid: true}
		}
		if c.log != nil {
			if err := r.storeLog(tx, c); err != nil {
				return err
			}
		}
		for _, write := range c.alongLog {
			if err := write(tx); err != nil {
				return err
			}
		}
		msg := ""
		if status != c.row.Status || res.blocker != c.row.Blocker {
			msg = stepMessage(c, res, tx.Now())
		}
		return tx.SetStepRun(db.SetStepRunParams{ID: c.row.ID, Status: status, Blocker: res.blocker,
			Error: res.err, Outputs: string(outputs), Tries: res.tries, FinishedAt: finished}, c.sc.subject(), msg)
	})
}

func stepMessage(c *stepCall, res stepResult, now time.Time) string {
	prefix := c.sc.label() + ": step " + c.step.Name
	took := now.Sub(c.row.StartedAt).Round(100 * time.Millisecond)
	switch res.status {
	case release.Succeeded:
		return fmt.Sprintf("%s succeeded in %s", prefix, took)
	case release.Terminated:
		return prefix + " was terminated"
	case release.Failed:
		return fmt.Sprintf("%s failed after %s: %s", prefix, took, res.err)
	}
	return prefix + ": " + res.blocker
}
