package trigger

import (
	"context"
	"fmt"
	"strconv"

	"ladder/db"
	"ladder/internal/application"
	"ladder/internal/gitops"
)

// location is what a stored head belongs to; an application moved elsewhere starts a new
// baseline.
func location(a application.Application) string {
	return a.RepoURL + "@" + a.Branch + ":" + a.Path
}

// watched returns the applications to watch: every application of a product in the trigger
// environment of one of its flows, by ID.
func (t *Trigger) watched(ctx context.Context) (map[int64]application.Application, error) {
	products, err := t.deps.Products.List(ctx)
	if err != nil {
		return nil, err
	}
	apps, err := t.deps.Applications.List(ctx)
	if err != nil {
		return nil, err
	}
	triggerEnvs := map[string]map[string]bool{} // product → environments
	for _, p := range products {
		for _, ref := range p.Flows {
			f, err := t.deps.Flows.Get(ctx, ref.Flow)
			if err != nil {
				continue // a flow deleted meanwhile: nothing to watch for it
			}
			if triggerEnvs[p.Name] == nil {
				triggerEnvs[p.Name] = map[string]bool{}
			}
			triggerEnvs[p.Name][f.TriggerEnvironment] = true
		}
	}
	out := map[int64]application.Application{}
	for _, a := range apps {
		if triggerEnvs[a.Product][a.Environment] {
			out[a.ID] = a
		}
	}
	return out, nil
}

// watches lists the watched applications with their stored baselines, for the poller.
func (t *Trigger) watches(ctx context.Context) ([]gitops.Watch, error) {
	apps, err := t.watched(ctx)
	if err != nil {
		return nil, err
	}
	stored, err := t.stored(ctx)
	if err != nil {
		return nil, err
	}
	var out []gitops.Watch
	for id, a := range apps {
		remote, err := t.deps.Remote(ctx, a.RepoURL)
		if err != nil {
			return nil, err
		}
		since := ""
		if w, ok := stored[id]; ok && w.Location == location(a) {
			since = w.Head
		}
		out = append(out, gitops.Watch{Key: strconv.FormatInt(id, 10), Remote: remote, Branch: a.Branch, Path: a.Path, Since: since})
	}
	return out, nil
}

func (t *Trigger) stored(ctx context.Context) (map[int64]db.Watch, error) {
	rows, err := t.q.ListWatches(ctx)
	if err != nil {
		return nil, fmt.Errorf("list watches: %w", err)
	}
	out := make(map[int64]db.Watch, len(rows))
	for _, w := range rows {
		out[w.ApplicationID] = w
	}
	return out, nil
}
