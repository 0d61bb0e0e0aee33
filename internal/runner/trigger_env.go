package runner

import (
	"ladder/internal/release"
)

// startTrigger starts the trigger environment. The change is already in Git there, at the
// trigger commit, so its applications skip the pre-action and the action: they are verified
// and run the post-action, like a target environment's after its push. It is neither frozen
// nor superseded, since nothing is promoted into it. Without applications (a roll back, a
// release stored before the trigger environment had any) it has nothing to do and succeeds.
func (a *advancer) startTrigger(e *release.Environment) error {
	now := a.tx.Now()
	read := "trigger environment: values read at " + short(a.rel.Trigger.SHA)
	if len(e.Applications) == 0 {
		e.Status, e.Blocker, e.StartedAt, e.FinishedAt = release.Succeeded, "", &now, &now
		return a.tx.SetEnvironment(*e, read)
	}
	e.Status, e.Blocker, e.StartedAt = release.Running, "", &now
	if err := a.tx.SetEnvironment(*e, read); err != nil {
		return err
	}
	for i := range e.Applications {
		app := &e.Applications[i]
		if app.StartedAt != nil || app.Phase != release.PhaseAction {
			continue // a retried application goes on from the phase it stopped in
		}
		app.CommitSHA, app.Result = a.rel.Trigger.SHA, "the change is in Git at "+short(a.rel.Trigger.SHA)
		app.Phase = nextPhase(release.PhaseAction, e.Settings, *app)
		if app.Phase == release.PhaseDone {
			app.Status, app.StartedAt, app.FinishedAt = release.Succeeded, &now, &now
		}
		if err := a.tx.SetApplication(e.Name, *app, app.Name+": "+app.Result); err != nil {
			return err
		}
	}
	return a.settleEnvironment(e)
}
