package runner

import (
	"context"
	"errors"
	"time"

	"ladder/db"
	"ladder/internal/argowf"
	"ladder/internal/release"
)

// stopArgo terminates the Argo workflows of release id that may still run, when the release is
// being terminated or ended so (onFail hooks run on until the release's end). It reports
// whether one could not be reached, to be tried again.
func (r *Runner) stopArgo(ctx context.Context, id, status string) bool {
	if status != release.Terminating && status != release.Terminated {
		return false
	}
	return r.stopArgoWhere(ctx, id, func(w db.ListOpenArgoStepWorkflowsRow) bool {
		return !(scope{kind: w.Scope}).onFail() || status == release.Terminated
	})
}

// stopArgoRun terminates the Argo workflows of one workflow run that ended without success
// (timed out, terminated, or failed at another step).
func (r *Runner) stopArgoRun(ctx context.Context, id string, runID int64) {
	r.stopArgoWhere(ctx, id, func(w db.ListOpenArgoStepWorkflowsRow) bool { return w.WorkflowRunID == runID })
}

func (r *Runner) stopArgoWhere(ctx context.Context, id string, match func(db.ListOpenArgoStepWorkflowsRow) bool) (again bool) {
	argo := r.opts.Deploy.Argo
	if argo == nil {
		return false
	}
	open, err := r.q.ListOpenArgoStepWorkflows(ctx, id)
	if err != nil {
		r.log.Warn("list Argo workflows to terminate", "release", id, "err", err)
		return true
	}
	for _, w := range open {
		if !match(w) {
			continue
		}
		err := argo.Terminate(ctx, w.Server, w.Name)
		if err != nil && !argowf.IsStatus(err, 404) && !errors.Is(err, context.Canceled) {
			r.log.Warn("terminate Argo workflow", "release", id, "server", w.Server, "workflow", w.Name, "err", err)
			again = again || argowf.Transient(err)
			continue
		}
		if err := r.q.FinishArgoStepWorkflow(ctx, w.StepRunID); err != nil {
			return true
		}
		_ = r.releases.Change(ctx, id, func(tx *release.Tx) error {
			return tx.Event("step", "", "terminated Argo workflow "+w.Name+" on "+w.Server)
		})
	}
	return again
}

// argoRetry is when an advance pass that could not terminate every Argo workflow looks again.
func (r *Runner) argoRetry(next time.Time) time.Time {
	return earliest(next, r.now().Add(r.opts.Deploy.argoPoll()))
}
