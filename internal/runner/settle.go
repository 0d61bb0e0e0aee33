package runner

import (
	"ladder/internal/release"
)

// settleEnvironment ends an environment whose applications are done, or makes sure the next
// application in turn has a job.
func (a *advancer) settleEnvironment(e *release.Environment) error {
	now := a.tx.Now()
	if e.Error != "" {
		return a.failEnvironment(e, e.Error) // its onFail hook runs
	}
	if ok, err := a.envHook(e, scopeHookPre); !ok || err != nil {
		return err
	}
	for i := range e.Applications {
		app := &e.Applications[i]
		switch {
		case app.Status == release.Failed:
			return a.failEnvironment(e, app.Name+": "+app.Error)
		case app.Status == release.Succeeded:
			continue
		}
		if app.Status == release.Pending {
			if err := a.block(e, "promoting "+app.Name); err != nil {
				return err
			}
		}
		return a.tx.Queue(jobApplication, e.Name, app.Name, now)
	}
	if ok, err := a.envHook(e, scopeHookPost); !ok || err != nil {
		return err
	}
	e.Status, e.Blocker, e.FinishedAt = release.Succeeded, "", &now
	if e.IsTrigger {
		return a.tx.SetEnvironment(*e, "trigger environment "+e.Name+" succeeded")
	}
	return a.tx.SetEnvironment(*e, "promoted to "+e.Name)
}

// settle ends the release when every environment is done or one failed and nothing still runs.
func (a *advancer) settle() error {
	rel := &a.rel
	var failed *release.Environment
	running, done := false, 0
	for i, e := range rel.Environments {
		switch {
		case e.Status == release.Failed && failed == nil:
			failed = &rel.Environments[i]
		case active(e.Status):
			running = true
		case e.Status == release.Succeeded:
			done++
		}
	}
	switch {
	case failed != nil && !running:
		return a.finish(release.Failed, "environment "+failed.Name+" failed: "+failed.Error) // after the onFail hook
	case done == len(rel.Environments):
		return a.finish(release.Succeeded, "") // after the onSuccess hook
	}
	return a.suspendRelease()
}

// terminate ends a TERMINATING release: running environments and applications become
// TERMINATED, pending ones stay PENDING. A running environment's onFail hook runs first (the
// environment stays under way meanwhile), then the release's.
func (a *advancer) terminate() error {
	rel := &a.rel
	now := a.tx.Now()
	hooksRun := false
	for i := range rel.Environments {
		e := &rel.Environments[i]
		if !active(e.Status) {
			continue
		}
		for j := range e.Applications {
			app := &e.Applications[j]
			if release.Final(app.Status) || app.Status == release.Pending {
				continue
			}
			app.Status, app.FinishedAt = release.Terminated, &now
			if err := a.tx.SetApplication(e.Name, *app, app.Name+" terminated"); err != nil {
				return err
			}
		}
		state, why, err := a.envOnFail(e)
		switch {
		case err != nil:
			return err
		case state == hookRunning:
			hooksRun = true
			continue
		case state == hookFailed:
			e.Error = joinResult(e.Error, why)
		}
		e.Status, e.Blocker, e.FinishedAt = release.Terminated, "", &now
		if err := a.tx.SetEnvironment(*e, e.Name+" terminated"); err != nil {
			return err
		}
	}
	if hooksRun {
		return nil // the hooks' jobs ask for the next pass when they end
	}
	if rel.Error == "" {
		rel.Error = "terminated"
	}
	if done, err := a.onFail(rel.Error); !done || err != nil {
		return err // the onFail hook runs first
	}
	rel.Status, rel.Blocker, rel.FinishedAt = release.Terminated, "", &now
	if err := a.tx.SetRelease(*rel, "release terminated: "+rel.Error); err != nil {
		return err
	}
	if err := a.tx.EndWaitingSteps(release.Terminated, "ended with the release"); err != nil {
		return err
	}
	return a.wakeQueued()
}

// wakeQueued asks the release queued right behind this one, which just ended, to look again:
// it may start, or wait behind another. Only it: the others wait behind releases that did
// not end.
func (a *advancer) wakeQueued() error {
	active, err := a.tx.Active(a.rel.Product)
	if err != nil {
		return err
	}
	for _, other := range active {
		if other.ID > a.rel.ID {
			if other.Status != release.Queued {
				return nil
			}
			return a.tx.Wake(other.ID)
		}
	}
	return nil
}
