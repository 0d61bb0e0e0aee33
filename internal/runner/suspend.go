package runner

import (
	"context"
	"strings"

	"ladder/internal/release"
)

// active reports whether a release or environment status is under way: RUNNING, or SUSPENDED
// (waiting on people).
func active(status string) bool { return status == release.Running || status == release.Suspended }

// suspended reports whether environment e waits on people rather than on Ladder: its blocker
// says it waits for a pull request merge or for approvals. Phases that wait on people give
// blockers starting with release.BlockerMerge or release.BlockerApproval.
func suspended(e release.Environment) bool {
	return strings.HasPrefix(e.Blocker, release.BlockerMerge) || strings.HasPrefix(e.Blocker, release.BlockerApproval)
}

// hold records why env waits (blocker; empty keeps the current one) and whether that makes it
// SUSPENDED. When its status changes, an advance job settles the release's status.
func hold(ctx context.Context, tx *release.Tx, env release.Environment, blocker string) error {
	was := env
	if blocker != "" {
		env.Blocker = blocker
	}
	env.Status = release.Running
	if suspended(env) {
		env.Status = release.Suspended
	}
	if env.Blocker == was.Blocker && env.Status == was.Status {
		return nil
	}
	if err := tx.SetEnvironment(env, env.Blocker); err != nil {
		return err
	}
	if env.Status == was.Status {
		return nil
	}
	return tx.Queue(jobAdvance, "", "", tx.Now())
}

// resume puts a SUSPENDED environment back to RUNNING once the application it waited on has
// moved on.
func resume(ctx context.Context, tx *release.Tx, env release.Environment, app release.Application) error {
	if env.Status != release.Suspended {
		return nil
	}
	env.Status, env.Blocker = release.Running, "promoting "+app.Name
	if err := tx.SetEnvironment(env, app.Name+" no longer waits"); err != nil {
		return err
	}
	return tx.Queue(jobAdvance, "", "", tx.Now())
}

// suspendRelease shows a release SUSPENDED while every environment under way is suspended, and
// RUNNING again as soon as one runs.
func (a *advancer) suspendRelease() error {
	rel := &a.rel
	if !active(rel.Status) {
		return nil
	}
	running, waiting := false, false
	for _, e := range rel.Environments {
		running = running || e.Status == release.Running
		waiting = waiting || e.Status == release.Suspended
	}
	status := release.Running
	if waiting && !running {
		status = release.Suspended
	}
	if status == rel.Status {
		return nil
	}
	rel.Status = status
	msg := "release suspended: it waits on people"
	if status == release.Running {
		msg = "release running again"
	}
	return a.tx.SetRelease(*rel, msg)
}
