package runner

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"ladder/internal/release"
)

// advance decides what release id does next, in one transaction: start it when its turn comes,
// start environments whose dependencies succeeded, settle environments whose applications are
// done, and end the release. It returns when it wants to look again (zero: when woken).
func (r *Runner) advance(ctx context.Context, id string) (time.Time, error) {
	var next time.Time
	var status string
	var soaks []soakCheck
	err := r.releases.Change(ctx, id, func(tx *release.Tx) error {
		rel, err := tx.Load()
		if err != nil {
			return err
		}
		a := &advancer{r: r, ctx: ctx, tx: tx, rel: rel}
		next, err = a.run()
		status, soaks = a.rel.Status, a.healthDue
		return err
	})
	if err == nil && len(soaks) > 0 {
		r.checkSoaks(ctx, soaks) // outside the transaction: it may wait on Argo CD
		next = r.now()
	}
	if err == nil && r.stopArgo(ctx, id, status) {
		next = r.argoRetry(next)
	}
	if err == nil && r.closePullRequests(ctx, id, status) {
		next = earliest(next, r.now().Add(r.opts.Deploy.mergeRecheck()))
	}
	if err == nil {
		r.postStatuses(ctx, id)
	}
	return next, err
}

// advancer holds one advance pass over one release.
type advancer struct {
	r    *Runner
	ctx  context.Context
	tx   *release.Tx
	rel  release.Release
	next time.Time
	// failed is set once an environment failed: nothing new starts, and the release fails
	// when what still runs has finished.
	failed bool
	// healthDue are the soaks whose time is up and whose health advance checks after commit.
	healthDue []soakCheck
}

func (a *advancer) run() (time.Time, error) {
	rel := &a.rel
	if release.Final(rel.Status) {
		return time.Time{}, nil
	}
	now := a.tx.Now()
	if rel.Status == release.Queued {
		started, err := a.start()
		if err != nil || !started {
			return time.Time{}, err
		}
	}
	if rel.Status != release.Terminating && rel.StartedAt != nil && rel.Timeout > 0 && now.Sub(*rel.StartedAt) > rel.Timeout {
		rel.Status, rel.Error = release.Terminating, fmt.Sprintf("timed out after %s (the flow's timeout)", rel.Timeout)
	}
	if rel.Status == release.Terminating {
		return time.Time{}, a.terminate()
	}
	if ok, err := a.onStart(); !ok || err != nil {
		return a.next, err
	}
	for _, e := range rel.Environments {
		a.failed = a.failed || failing(e)
	}
	for i := range rel.Environments {
		if err := a.environment(&rel.Environments[i]); err != nil {
			return time.Time{}, err
		}
	}
	if err := a.settle(); err != nil {
		return time.Time{}, err
	}
	if active(rel.Status) && rel.StartedAt != nil && rel.Timeout > 0 {
		a.later(rel.StartedAt.Add(rel.Timeout + time.Second))
	}
	return a.next, nil
}

// later asks for another pass at t at the latest.
func (a *advancer) later(t time.Time) {
	if a.next.IsZero() || t.Before(a.next) {
		a.next = t
	}
}

// start moves a queued release to RUNNING when the product's concurrency allows it.
func (a *advancer) start() (bool, error) {
	rel := &a.rel
	mode, _, err := a.r.model.Concurrency(a.ctx, rel.Product)
	if err != nil {
		return false, err
	}
	if mode != "terminate" {
		active, err := a.tx.Active(rel.Product)
		if err != nil {
			return false, err
		}
		if pos := slices.IndexFunc(active, func(x release.InFlight) bool { return x.ID == rel.ID }); pos > 0 {
			// It names the release right ahead, which changes only when that one ends: a
			// release ending wakes the one behind it alone (wakeQueued), not the whole queue.
			blocker := fmt.Sprintf("queued behind release #%d", active[pos-1].Number)
			if blocker == rel.Blocker {
				return false, nil
			}
			rel.Blocker = blocker
			return false, a.tx.SetRelease(*rel, blocker)
		}
	}
	now := a.tx.Now()
	rel.Status, rel.Blocker, rel.StartedAt = release.Running, "", &now
	return true, a.tx.SetRelease(*rel, "release started")
}

// environment moves one environment forward.
func (a *advancer) environment(e *release.Environment) error {
	switch e.Status {
	case release.Pending:
		if a.failed {
			return nil
		}
		return a.startEnvironment(e)
	case release.Running, release.Suspended:
		return a.settleEnvironment(e)
	}
	return nil
}

func (a *advancer) startEnvironment(e *release.Environment) error {
	now := a.tx.Now()
	var waiting []string
	for _, d := range e.DependsOn {
		dep, ok := a.rel.Environment(d)
		if !ok || dep.Status != release.Succeeded {
			waiting = append(waiting, d)
		}
	}
	if len(waiting) > 0 {
		return a.block(e, "waiting for "+strings.Join(waiting, ", ")+" to succeed")
	}
	if e.IsTrigger {
		return a.startTrigger(e)
	}
	if ok, err := a.soakGate(e); !ok || err != nil {
		return err
	}
	frozen, err := a.r.model.Freeze(a.ctx, a.rel.Product, e.Name, e.FreezeOverride != "")
	if err != nil {
		return err
	}
	if frozen != "" {
		a.later(now.Add(a.r.opts.FreezeRecheck))
		return a.block(e, frozen)
	}
	p, pinned, err := a.r.model.Pin(a.ctx, a.rel.Product, e.Name)
	if err != nil {
		return err
	}
	if pinned && p.Holds(a.rel.ID, a.rel.Initiator == release.AutoInitiator, a.rel.CreatedAt) {
		a.later(now.Add(a.r.opts.FreezeRecheck))
		return a.block(e, p.Blocker())
	}
	if err := a.supersede(e.Name); err != nil {
		return err
	}
	e.Status, e.Blocker, e.StartedAt = release.Running, "", &now
	if err := a.tx.SetEnvironment(*e, "promotion to "+e.Name+" started ("+e.Settings.Action.Value+")"); err != nil {
		return err
	}
	return a.settleEnvironment(e)
}

// block records why an environment waits, when that changed.
func (a *advancer) block(e *release.Environment, blocker string) error {
	if e.Blocker == blocker {
		return nil
	}
	e.Blocker = blocker
	return a.tx.SetEnvironment(*e, blocker)
}

func short(sha string) string {
	if len(sha) > 7 {
		return sha[:7]
	}
	return sha
}
