package runner

import (
	"fmt"

	"ladder/db"
	"ladder/internal/release"
)

// supersede carries out the terminate concurrency mode: when this release reaches environment
// env, every older release of the product still active there (its env neither final nor
// pending) is asked to terminate, "superseded by #N". It writes in this release's transaction;
// each older release's own advance job then ends it and runs its onFail hooks.
func (a *advancer) supersede(env string) error {
	mode, _, err := a.r.model.Concurrency(a.ctx, a.rel.Product)
	if err != nil || mode != "terminate" {
		return err
	}
	q := a.tx.Queries()
	active, err := q.ActiveReleasesOfProduct(a.ctx, a.rel.Product)
	if err != nil {
		return fmt.Errorf("list active releases of %s: %w", a.rel.Product, err)
	}
	for _, old := range active {
		if old.ID >= a.rel.ID || old.Status == release.Terminating {
			continue
		}
		there, err := activeIn(a, q, old.ID, env)
		if err != nil || !there {
			return err
		}
		reason := fmt.Sprintf("superseded by #%d", a.rel.Number)
		if err := q.SetReleaseStatus(a.ctx, db.SetReleaseStatusParams{ID: old.ID, Status: release.Terminating,
			Blocker: "", Error: reason, StartedAt: old.StartedAt, FinishedAt: old.FinishedAt}); err != nil {
			return fmt.Errorf("supersede release %s: %w", old.ID, err)
		}
		if _, err := q.CreateReleaseEvent(a.ctx, db.CreateReleaseEventParams{ReleaseID: old.ID, Kind: "release",
			Message: "release " + reason + " in " + env, At: a.tx.Now()}); err != nil {
			return fmt.Errorf("record the supersession of %s: %w", old.ID, err)
		}
		if err := enqueue(a.ctx, q, a.tx.Now(), old.ID, jobAdvance, "", "", a.tx.Now()); err != nil {
			return err
		}
		if err := a.tx.Event("release", "", fmt.Sprintf("supersedes release #%d in %s", old.Number, env)); err != nil {
			return err
		}
	}
	return nil
}

// activeIn reports whether release id has started, and not finished, environment env.
func activeIn(a *advancer, q *db.Queries, id, env string) (bool, error) {
	envs, err := q.ListReleaseEnvironments(a.ctx, id)
	if err != nil {
		return false, fmt.Errorf("list environments of release %s: %w", id, err)
	}
	for _, e := range envs {
		if e.Name == env {
			return e.Status != release.Pending && !release.Final(e.Status), nil
		}
	}
	return false, nil
}
