package runner

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"ladder/internal/argowf"
	"ladder/internal/fault"
	"ladder/internal/release"
)

// ResumeArgo resumes the suspended Argo workflow of argo step run stepRunID of release id on
// behalf of user (a promoter: the caller checked), and records who did. The step sees the
// workflow run on at its next look.
func (r *Runner) ResumeArgo(ctx context.Context, id string, stepRunID int64, user string) error {
	argo := r.opts.Deploy.Argo
	wf, err := r.q.GetArgoStepWorkflow(ctx, stepRunID)
	if errors.Is(err, sql.ErrNoRows) || err == nil && (wf.ReleaseID != id || wf.Done || !wf.Submitted) {
		return fmt.Errorf("running Argo workflow of step %d of release %s: %w", stepRunID, id, fault.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("read the Argo workflow of step %d: %w", stepRunID, err)
	}
	if argo == nil {
		return fmt.Errorf("Argo Workflows is not configured on this server: %w", fault.ErrNotFound)
	}
	if err := argo.Resume(ctx, wf.Server, wf.Name); err != nil {
		if argowf.IsStatus(err, 404) || !argowf.Transient(err) {
			return fmt.Errorf("resume Argo workflow %s on %s: %v: %w", wf.Name, wf.Server, err, fault.ErrConflict)
		}
		return fmt.Errorf("resume Argo workflow %s on %s: %w", wf.Name, wf.Server, err)
	}
	err = r.releases.Change(ctx, id, func(tx *release.Tx) error {
		return tx.Event("step", "", fmt.Sprintf("%s resumed Argo workflow %s on %s", user, wf.Name, wf.Server))
	})
	r.Wake()
	return err
}
