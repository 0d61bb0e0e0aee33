package release

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"ladder/db"
)

// Deployed is what runs of a product in an environment according to Ladder: the newest
// release that succeeded there.
type Deployed struct {
	ReleaseID string
	Number    int64
	Version   string
	At        *time.Time // when the environment's promotion finished
	CommitSHA string     // the commit written to the environment's first application
	RepoURL   string     // that application's repository
}

// DeployedIn returns what the newest release of product that succeeded in env wrote there;
// ok is false when none has.
func (s *Service) DeployedIn(ctx context.Context, product, env string) (d Deployed, ok bool, err error) {
	return deployedIn(ctx, s.q, product, env)
}

func deployedIn(ctx context.Context, q *db.Queries, product, env string) (d Deployed, ok bool, err error) {
	row, err := q.DeployedInEnvironment(ctx, db.DeployedInEnvironmentParams{Name: env, Product: product})
	if errors.Is(err, sql.ErrNoRows) {
		return Deployed{}, false, nil
	}
	if err != nil {
		return Deployed{}, false, fmt.Errorf("deployed release of %s in %s: %w", product, env, err)
	}
	return Deployed{ReleaseID: row.ID, Number: row.Number, Version: row.Version, At: timePtr(row.FinishedAt),
		CommitSHA: row.CommitSha, RepoURL: row.RepoUrl}, true, nil
}

// Current is the newest release of a product that an environment takes part in, with the
// environment's status and what it waits on.
type Current struct {
	ID                string
	Number            int64
	Version           string
	Status            string // the release's
	EnvironmentStatus string // the environment's within the release
	Blocker           string // what the environment (or else the release) waits on
	IsTrigger         bool   // the environment started the release
}

// CurrentIn returns the newest release of product in which env takes part, as a target or as
// the trigger; ok is false when there is none.
func (s *Service) CurrentIn(ctx context.Context, product, env string) (c Current, ok bool, err error) {
	row, err := s.q.LatestReleaseInFlight(ctx, db.LatestReleaseInFlightParams{Name: env, Product: product})
	if errors.Is(err, sql.ErrNoRows) {
		return Current{}, false, nil
	}
	if err != nil {
		return Current{}, false, fmt.Errorf("current release of %s in %s: %w", product, env, err)
	}
	c = Current{ID: row.ID, Number: row.Number, Version: row.Version, Status: row.Status,
		EnvironmentStatus: row.EnvironmentStatus, Blocker: row.EnvironmentBlocker, IsTrigger: row.IsTrigger}
	if c.Blocker == "" {
		c.Blocker = row.ReleaseBlocker
	}
	return c, true, nil
}

// NewestEventID is the ID of the newest event of any release, 0 before the first: a list or
// dashboard rendered after it includes every change up to it.
func (s *Service) NewestEventID(ctx context.Context) (int64, error) {
	id, err := s.q.NewestReleaseEventID(ctx)
	if err != nil {
		return 0, fmt.Errorf("newest release event: %w", err)
	}
	return id, nil
}
