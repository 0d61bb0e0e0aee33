package web

import (
	"context"
	"fmt"
	"net/http"
	"sort"

	"ladder/internal/environment"
	"ladder/internal/gitops"
	"ladder/internal/promotion"
	"ladder/internal/release"
	"ladder/views"
)

// lookBack is how many earlier releases of a product "what changed" searches for the version
// each environment had before.
const lookBack = 50

// showReleaseChanges answers the release page's "What changed": per environment, the values
// the release promotes against those the environment had before, and the commits of the
// trigger repository between the version in production and this one. It is loaded once after
// the page, since reading Git may take a moment.
func showReleaseChanges(rels *release.Service, plan *promotion.Planner, envs *environment.Service) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		rel, err := rels.Get(r.Context(), r.PathValue("id"))
		if err != nil {
			return err
		}
		earlier, err := rels.List(r.Context(), release.Filter{Product: rel.Product, Before: rel.ID, Limit: lookBack})
		if err != nil {
			return err
		}
		c := views.ReleaseChanges{ReleaseID: rel.ID, Version: rel.Version}
		if c.Values, err = valueChanges(r.Context(), rels, rel, earlier); err != nil {
			return err
		}
		prod, err := productionEnvironments(r, envs)
		if err != nil {
			return err
		}
		c.Commits, c.Since, c.CommitsNote = releaseNotes(r.Context(), plan, rel, earlier, prod)
		c.RepoURL = rel.Plan.Source.RepoURL
		return render(w, r, http.StatusOK, views.ReleaseChangesCard(c))
	}
}

// valueChanges compares, per target environment, the promoted values with those of the
// newest earlier release that succeeded there.
func valueChanges(ctx context.Context, rels *release.Service, rel release.Release, earlier []release.Release) ([]views.EnvValues, error) {
	plans := map[string]release.Plan{} // earlier plans read, by release ID
	var out []views.EnvValues
	for _, e := range rel.Environments {
		if e.IsTrigger {
			continue
		}
		ev := views.EnvValues{Env: e.Name}
		var before *release.Plan
		if prev, ok := succeededIn(earlier, func(name string) bool { return name == e.Name }); ok {
			p, seen := plans[prev.ID]
			if !seen {
				full, err := rels.Get(ctx, prev.ID)
				if err != nil {
					return nil, err
				}
				p, plans[prev.ID] = full.Plan, full.Plan
			}
			before, ev.BeforeRelease = &p, prev.Number
		}
		ev.Rows = valueRows(rel.Plan.Values, before)
		out = append(out, ev)
	}
	return out, nil
}

// valueRows lists each promoted value with the one before (when an earlier plan is known).
func valueRows(now gitops.Values, before *release.Plan) []views.ValueRow {
	var rows []views.ValueRow
	files := make([]string, 0, len(now.Paths))
	for f := range now.Paths {
		files = append(files, f)
	}
	sort.Strings(files)
	for _, f := range files {
		for _, l := range now.Paths[f] {
			row := views.ValueRow{File: f, Query: l.Query, New: fmt.Sprint(l.Value)}
			if before != nil {
				for _, old := range before.Values.Paths[f] {
					if old.Path == l.Path {
						row.Old, row.Known = fmt.Sprint(old.Value), true
					}
				}
			}
			rows = append(rows, row)
		}
	}
	for f := range now.Files {
		rows = append(rows, views.ValueRow{File: f, WholeFile: true})
	}
	return rows
}

// releaseNotes lists the trigger repository's commits after the version in production up to
// this release's trigger commit, oldest first; note says why there are none when that is not
// obvious.
func releaseNotes(ctx context.Context, plan *promotion.Planner, rel release.Release, earlier []release.Release, production map[string]bool) (commits []gitops.Commit, since views.Since, note string) {
	src := rel.Plan.Source
	if rel.Trigger.SHA == "" || src.RepoURL == "" {
		return nil, since, "This release has no trigger commit to compare."
	}
	prod, ok := succeededIn(earlier, func(name string) bool { return production[name] })
	if !ok || prod.Trigger.SHA == "" {
		return nil, since, "No earlier release of " + rel.Product + " reached production, so there is no version to compare with."
	}
	since = views.Since{Version: prod.Version, Number: prod.Number, ID: prod.ID, SHA: prod.Trigger.SHA}
	remote, err := plan.Credentials.Remote(ctx, src.RepoURL)
	if err == nil {
		var all []gitops.Commit
		if _, all, err = plan.Git.Changes(ctx, remote, src.Branch, src.Path, prod.Trigger.SHA); err == nil {
			commits = upTo(all, rel.Trigger.SHA)
		}
	}
	if err != nil {
		return nil, since, "The trigger repository could not be read."
	}
	if len(commits) == 0 {
		note = "No commit between the version in production and this one."
	}
	return commits, since, note
}

// upTo keeps the commits up to and including sha (all of them when sha is not among them).
func upTo(commits []gitops.Commit, sha string) []gitops.Commit {
	for i, c := range commits {
		if c.SHA == sha {
			return commits[:i+1]
		}
	}
	return commits
}

// succeededIn finds the newest release of list that succeeded in an environment that env
// accepts.
func succeededIn(list []release.Release, env func(name string) bool) (release.Release, bool) {
	for _, r := range list {
		for _, e := range r.Environments {
			if e.Status == release.Succeeded && env(e.Name) {
				return r, true
			}
		}
	}
	return release.Release{}, false
}
