package runner

import (
	"context"
	"fmt"

	"ladder/internal/fault"
	"ladder/internal/release"
)

// Start creates a release from spec and sets it going. In queue mode, when more releases of
// the product wait than its queue limit allows, the oldest waiting ones are terminated.
func (r *Runner) Start(ctx context.Context, spec release.Spec) (release.Release, error) {
	mode, limit, err := r.model.Concurrency(ctx, spec.Product)
	if err != nil {
		return release.Release{}, err
	}
	rel, err := r.releases.Create(ctx, spec, func(tx *release.Tx) error {
		return tx.Queue(jobAdvance, "", "", tx.Now())
	})
	if err != nil {
		return release.Release{}, err
	}
	if mode != "terminate" && limit > 0 {
		if err := r.enforceQueueLimit(ctx, spec.Product, limit); err != nil {
			return rel, err
		}
	}
	r.Wake()
	return rel, nil
}

// enforceQueueLimit terminates the oldest queued releases of product beyond limit.
func (r *Runner) enforceQueueLimit(ctx context.Context, product string, limit int) error {
	active, err := r.q.ActiveReleasesOfProduct(ctx, product)
	if err != nil {
		return fmt.Errorf("list active releases of %s: %w", product, err)
	}
	var queued []string
	for _, a := range active {
		if a.Status == release.Queued {
			queued = append(queued, a.ID)
		}
	}
	for _, id := range queued[:max(len(queued)-limit, 0)] {
		err := r.releases.Change(ctx, id, func(tx *release.Tx) error {
			rel, err := tx.Load()
			if err != nil || rel.Status != release.Queued {
				return err
			}
			rel.Status, rel.Error = release.Terminating, fmt.Sprintf("queue limit: more than %d releases of %s were waiting", limit, product)
			if err := tx.SetRelease(rel, rel.Error); err != nil {
				return err
			}
			return tx.Queue(jobAdvance, "", "", tx.Now())
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// Terminate stops release id: running steps are abandoned, the release ends TERMINATED and
// environments that had not started stay PENDING.
func (r *Runner) Terminate(ctx context.Context, id, by string) error {
	err := r.releases.Change(ctx, id, func(tx *release.Tx) error {
		rel, err := tx.Load()
		if err != nil {
			return err
		}
		if release.Final(rel.Status) || rel.Status == release.Terminating {
			return fmt.Errorf("release %s is %s: %w", id, rel.Status, fault.ErrConflict)
		}
		rel.Status, rel.Error = release.Terminating, "terminated by "+by
		if err := tx.SetRelease(rel, "termination requested by "+by); err != nil {
			return err
		}
		if err := tx.Audit(by, "terminate", ""); err != nil {
			return err
		}
		return tx.Queue(jobAdvance, "", "", tx.Now())
	})
	if err == nil {
		r.cancelRelease(id)
		r.Wake()
	}
	return err
}

// Retry resumes a FAILED or TERMINATED release from where it stopped: environments that
// succeeded are not redone; in failed and terminated ones, each unfinished application resumes
// at the phase it stopped in (the one that failed), so decisions already made in earlier
// phases stand and are not asked again.
func (r *Runner) Retry(ctx context.Context, id, by string) error {
	err := r.releases.Change(ctx, id, func(tx *release.Tx) error {
		rel, err := tx.Load()
		if err != nil {
			return err
		}
		if rel.Status != release.Failed && rel.Status != release.Terminated {
			return fmt.Errorf("release %s is %s; only failed or terminated releases can be retried: %w", id, rel.Status, fault.ErrConflict)
		}
		for _, e := range rel.Environments {
			if e.Status != release.Failed && e.Status != release.Terminated {
				continue
			}
			for _, app := range e.Applications {
				if app.Status == release.Succeeded {
					continue
				}
				if app.Phase == release.PhaseMerge && app.Status == release.Failed {
					// A pull request closed without merging cannot be merged again: the action
					// runs again, linking an open pull request of the branch or opening a new one.
					app.Phase = release.PhaseAction
				}
				msg := app.Name + " will go on from its " + app.Phase + " phase"
				if app.Status == release.Pending {
					msg = app.Name + " will be promoted"
				}
				app.Status, app.Error, app.FinishedAt = release.Pending, "", nil
				if err := tx.SetApplication(e.Name, app, msg); err != nil {
					return err
				}
			}
			e.Status, e.Error, e.Blocker, e.StartedAt, e.FinishedAt = release.Pending, "", "", nil, nil
			if err := tx.SetEnvironment(e, e.Name+" will run again"); err != nil {
				return err
			}
		}
		rel.Status, rel.Error, rel.FinishedAt = release.Queued, "", nil
		if err := tx.SetRelease(rel, "retry requested by "+by); err != nil {
			return err
		}
		if err := tx.Audit(by, "retry", ""); err != nil {
			return err
		}
		return tx.Queue(jobAdvance, "", "", tx.Now())
	})
	if err == nil {
		r.Wake()
	}
	return err
}

// OverrideFreeze lets release id through the freeze windows of environment env, where it
// waits: by and reason are recorded on the environment, as an event and in the audit log,
// and the release is looked at again at once. A manual freeze of the environment still holds.
func (r *Runner) OverrideFreeze(ctx context.Context, id, env, by, reason string) error {
	err := r.releases.Change(ctx, id, func(tx *release.Tx) error {
		rel, err := tx.Load()
		if err != nil {
			return err
		}
		e, ok := rel.Environment(env)
		if !ok || e.IsTrigger {
			return fmt.Errorf("target environment %q of release %s: %w", env, id, fault.ErrNotFound)
		}
		if release.Final(rel.Status) || e.Status != release.Pending {
			return fmt.Errorf("%s of release %s is %s, not waiting to start: %w", env, id, e.Status, fault.ErrConflict)
		}
		if e.FreezeOverride != "" {
			return fmt.Errorf("the freeze windows of %s are already overridden for release %s: %w", env, id, fault.ErrConflict)
		}
		what := "freeze windows of " + env + " overridden by " + by + ": " + reason
		if err := tx.OverrideFreeze(env, by+": "+reason, what); err != nil {
			return err
		}
		if err := tx.Audit(by, "override-freeze", env+": "+reason); err != nil {
			return err
		}
		return tx.Queue(jobAdvance, "", "", tx.Now())
	})
	if err == nil {
		r.Wake()
	}
	return err
}
