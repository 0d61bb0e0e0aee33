package loadtest

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"time"

	"ladder/db"
	"ladder/internal/release"
)

// Report is what Check found.
type Report struct {
	Releases     int      // releases stored
	Acknowledged int      // releases whose start was answered
	Succeeded    int      // releases that ended SUCCEEDED
	Unfinished   []string // "id status" of every release that did not succeed
	Lost         []string // acknowledged IDs that are not stored
	Missing      []string // "repo id": a release with no promotion commit in a target
	Duplicates   []string // "repo id ×n": a release committed more than once to a target
	Stray        []string // "repo id": a promotion commit naming no stored release
	Commits      int      // promotion commits read from the target repositories
}

// OK reports whether nothing was lost, unfinished, missing or duplicated.
func (r Report) OK() bool {
	return len(r.Unfinished)+len(r.Lost)+len(r.Missing)+len(r.Duplicates)+len(r.Stray) == 0
}

// String summarises the report on one line.
func (r Report) String() string {
	return fmt.Sprintf("releases=%d acknowledged=%d succeeded=%d unfinished=%d lost=%d missing=%d duplicates=%d stray=%d commits=%d",
		r.Releases, r.Acknowledged, r.Succeeded, len(r.Unfinished), len(r.Lost), len(r.Missing), len(r.Duplicates), len(r.Stray), r.Commits)
}

// AllReleases reads every stored release from the database of dataDir.
func AllReleases(ctx context.Context, dataDir string) ([]release.Release, error) {
	conn, err := db.Open(ctx, filepath.Join(dataDir, "ladder.db"))
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	rels := release.NewService(conn, nil, time.Now)
	var all []release.Release
	f := release.Filter{Limit: 500}
	for {
		page, err := rels.List(ctx, f)
		if err != nil {
			return nil, err
		}
		all = append(all, page...)
		if len(page) < f.Limit {
			return all, nil
		}
		f.Before = page[len(page)-1].ID
	}
}

// WaitFinished polls until every stored release has a final status or limit passes.
func WaitFinished(ctx context.Context, dataDir string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		all, err := AllReleases(ctx, dataDir)
		if err != nil {
			return err
		}
		open := 0
		for _, r := range all {
			if !release.Final(r.Status) {
				open++
			}
		}
		if open == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%d of %d releases still unfinished after %s", open, len(all), limit)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// Check compares the stored releases with the acknowledged starts and with the promotion
// commits in every target repository of m: each release must have succeeded and committed
// exactly once to each target.
func Check(ctx context.Context, dataDir string, m Model, acknowledged []string) (Report, error) {
	all, err := AllReleases(ctx, dataDir)
	if err != nil {
		return Report{}, err
	}
	rep := Report{Releases: len(all), Acknowledged: len(acknowledged)}
	stored := map[string]release.Release{}
	for _, r := range all {
		stored[r.ID] = r
		if r.Status == release.Succeeded {
			rep.Succeeded++
		} else {
			rep.Unfinished = append(rep.Unfinished, r.ID+" "+r.Status+" "+r.Error)
		}
	}
	for _, id := range acknowledged {
		if _, ok := stored[id]; !ok {
			rep.Lost = append(rep.Lost, id)
		}
	}
	for product, repos := range m.Repos {
		for _, env := range m.Envs[1:] {
			if err := checkRepo(product+"-"+env, repos[env], product, all, stored, &rep); err != nil {
				return rep, err
			}
		}
	}
	sort.Strings(rep.Missing)
	sort.Strings(rep.Duplicates)
	return rep, nil
}

func checkRepo(name string, repo *Repo, product string, all []release.Release, stored map[string]release.Release, rep *Report) error {
	commits, err := repo.Promotions()
	if err != nil {
		return err
	}
	for id, n := range commits {
		rep.Commits += n
		if _, ok := stored[id]; !ok {
			rep.Stray = append(rep.Stray, name+" "+id)
		}
	}
	for _, r := range all {
		if r.Product != product {
			continue
		}
		switch n := commits[r.ID]; {
		case n == 0:
			rep.Missing = append(rep.Missing, fmt.Sprintf("%s #%d %s", name, r.Number, r.ID))
		case n > 1:
			rep.Duplicates = append(rep.Duplicates, fmt.Sprintf("%s #%d %s ×%d", name, r.Number, r.ID, n))
		}
	}
	return nil
}
