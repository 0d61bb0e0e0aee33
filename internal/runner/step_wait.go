package runner

import (
	"context"

	"ladder/internal/release"
	"ladder/internal/workflow"
)

// waitStep sleeps for a duration (soak time). It does not hold a worker: it waits as its job
// being due again at the end time, which is kept in the database, so a restart keeps it.
type waitStep struct{ spec *workflow.WaitStep }

func (w waitStep) run(_ context.Context, c *stepCall) stepResult {
	until := c.row.StartedAt.Add(w.spec.Length())
	if !c.r.now().Before(until) {
		c.log.Printf("waited %s", w.spec.Length())
		return succeeded(nil)
	}
	if c.row.Status != release.Suspended {
		c.log.Printf("waiting %s, until %s", w.spec.Length(), until.UTC().Format("15:04:05 UTC"))
	}
	return waiting(until, "waiting "+w.spec.Length().String()+" (soak time) until "+until.UTC().Format("2006-01-02 15:04:05 UTC"))
}
