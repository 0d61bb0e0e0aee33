package release

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"ladder/db"
)

// Filter narrows a release list; empty fields match everything. Before is the ID of the last
// release of the previous page (keyset pagination). Flow "" matches every flow unless Manual
// is set, which selects manual promotions only. From and To bound the creation time
// (From inclusive, To exclusive).
type Filter struct {
	Product, Status, Flow, Before string
	Manual                        bool
	From, To                      time.Time
	Limit                         int
}

// List returns releases newest first, each with its environments' names and statuses (but not
// their applications, nor the plan: Get reads a release whole).
func (s *Service) List(ctx context.Context, f Filter) ([]Release, error) {
	rows, err := s.q.ListReleasesBy(ctx, listParams(f))
	if err != nil {
		return nil, fmt.Errorf("list releases: %w", err)
	}
	out := make([]Release, 0, len(rows))
	for _, row := range rows {
		r := summaryOf(row.Release)
		envs, err := environmentStatuses(row.Release.Environments)
		if err != nil {
			return nil, fmt.Errorf("release %s: %w", r.ID, err)
		}
		r.Environments = make([]Environment, len(envs))
		for i, e := range envs {
			r.Environments[i] = Environment{Name: e.Name, Status: e.Status}
		}
		out = append(out, r)
	}
	return out, nil
}

// environmentStatuses reads the list query's "position:name:status,…" into environments in
// position order.
func environmentStatuses(s string) ([]EnvironmentStatus, error) {
	if s == "" {
		return nil, nil
	}
	out := make([]EnvironmentStatus, 0, strings.Count(s, ",")+1)
	if err := eachStatus(s, func(e EnvironmentStatus) { out = append(out, e) }); err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b EnvironmentStatus) int { return a.Position - b.Position })
	return out, nil
}

// eachStatus calls f with each "position:name:status" item of s, in the order s gives them.
func eachStatus(s string, f func(EnvironmentStatus)) error {
	if s == "" {
		return nil
	}
	for item := range strings.SplitSeq(s, ",") {
		pos, rest, ok := strings.Cut(item, ":")
		name, status, ok2 := strings.Cut(rest, ":")
		n, err := strconv.Atoi(pos)
		if !ok || !ok2 || err != nil {
			return fmt.Errorf("environment statuses %q: not position:name:status", item)
		}
		f(EnvironmentStatus{Position: n, Name: name, Status: status})
	}
	return nil
}

// ListDetailed is List with each release's environments and applications in full, as Get
// reads them (List reads only each environment's name and status, for pages).
func (s *Service) ListDetailed(ctx context.Context, f Filter) ([]Release, error) {
	list, err := s.List(ctx, f)
	if err != nil {
		return nil, err
	}
	for i, r := range list {
		if list[i], err = s.Get(ctx, r.ID); err != nil {
			return nil, err
		}
	}
	return list, nil
}

// IDTime is the creation time a release ID begins with, to the millisecond.
func IDTime(id string) (time.Time, error) {
	if len(id) >= 12 {
		if ms, err := strconv.ParseInt(id[:12], 16, 64); err == nil {
			return time.UnixMilli(ms).UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("release ID %q does not begin with its creation time", id)
}

// IDBound is the smallest release ID created at or after t: IDs start with their creation
// time, so time ranges are ID ranges.
func IDBound(t time.Time) string { return fmt.Sprintf("%012x", t.UnixMilli()) }

// Row is a release as the releases page shows it.
type Row struct {
	ID, Product, Flow, Version, Status string
	Number                             int64
	CreatedAt                          time.Time // to the millisecond, from the ID
	// Statuses is where the release stands in each environment, as the list query gives it
	// ("position:name:status,…"); Environments reads it. A list that draws a row it drew
	// before needs only this text to know the row did not change.
	Statuses string
}

// Environments is the release's environments with their statuses, in position order.
func (r Row) Environments() []EnvironmentStatus {
	envs, _ := environmentStatuses(r.Statuses) // Rows refused a row whose statuses do not read
	return envs
}

// EnvironmentStatus is where a release stands in one of its environments, for lists.
type EnvironmentStatus struct {
	Position     int // the environment's place in the flow order
	Name, Status string
}

// FlowLabel is the row's flow, or "Manual" for a manual promotion.
func (r Row) FlowLabel() string { return flowLabel(r.Flow) }

// Rows is List with only what the releases page shows of each release.
func (s *Service) Rows(ctx context.Context, f Filter) ([]Row, error) {
	rows, err := s.q.ListReleaseRows(ctx, db.ListReleaseRowsParams(listParams(f)))
	if err != nil {
		return nil, fmt.Errorf("list releases: %w", err)
	}
	out := make([]Row, 0, len(rows))
	for _, row := range rows {
		r := Row{ID: row.ID, Product: row.Product, Number: row.Number, Flow: row.Flow, Version: row.Version, Status: row.Status}
		if r.CreatedAt, err = IDTime(r.ID); err != nil {
			return nil, err
		}
		r.Statuses = row.Environments
		if err := eachStatus(r.Statuses, func(EnvironmentStatus) {}); err != nil {
			return nil, fmt.Errorf("release %s: %w", r.ID, err)
		}
		out = append(out, r)
	}
	return out, nil
}

// listParams turns f into the list queries' parameters.
func listParams(f Filter) db.ListReleasesByParams {
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	flow := nullString(f.Flow)
	if f.Manual {
		flow = sql.NullString{Valid: true}
	}
	// No bound is the widest one: every ID sorts after "" and before "~".
	after, before := "", "~"
	if f.Before != "" {
		before = f.Before
	}
	if !f.To.IsZero() && IDBound(f.To) < before {
		before = IDBound(f.To)
	}
	if !f.From.IsZero() {
		after = IDBound(f.From)
	}
	return db.ListReleasesByParams{Product: nullString(f.Product), Status: nullString(f.Status),
		Flow: flow, After: after, Before: before, Lim: int64(f.Limit)}
}

// DeployedVersion returns the version written to env by the newest release of product that
// succeeded there, "" when none has.
func (s *Service) DeployedVersion(ctx context.Context, product, env string) (string, error) {
	v, err := s.q.LatestSucceededVersionInEnvironment(ctx, db.LatestSucceededVersionInEnvironmentParams{Name: env, Product: product})
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("deployed version of %s in %s: %w", product, env, err)
	}
	return v, nil
}
