package runner

import (
	"fmt"

	"ladder/internal/release"
)

// supersede carries out the terminate concurrency mode: when this release reaches environment
// env, every older release of the product still active there (its env neither final nor
// pending) is asked to terminate, "superseded by #N". It writes in this release's transaction;
// each older release's own advance job then ends it and runs its onFail hooks. An older
// release that is elsewhere (waiting in another environment) is left alone and the search goes
// on to the next one.
func (a *advancer) supersede(env string) error {
	mode, _, err := a.r.model.Concurrency(a.ctx, a.rel.Product)
	if err != nil || mode != "terminate" {
		return err
	}
	active, err := a.tx.Active(a.rel.Product)
	if err != nil {
		return err
	}
	for _, old := range active {
		if old.ID >= a.rel.ID || old.Status == release.Terminating {
			continue
		}
		status, err := a.tx.EnvironmentStatus(old.ID, env)
		if err != nil {
			return err
		}
		if status == "" || status == release.Pending || release.Final(status) {
			continue // not under way in env
		}
		if err := a.tx.Supersede(old, fmt.Sprintf("superseded by #%d", a.rel.Number), env); err != nil {
			return err
		}
	}
	return nil
}
