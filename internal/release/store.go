package release

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"ladder/db"
	"ladder/internal/audit"
	"ladder/internal/fault"
)

// Tx is a change to one release inside one database transaction. Every state it writes also
// appends an event; the events are announced once the transaction commits.
type Tx struct {
	ctx    context.Context
	q      *db.Queries
	now    time.Time
	id     string
	events int
}

// ID is the release being changed.
func (tx *Tx) ID() string { return tx.id }

// Now is the time the change is made at.
func (tx *Tx) Now() time.Time { return tx.now }

// Audit records in the audit log that actor took action (terminate, retry, approve, ...) on
// this release, with detail.
func (tx *Tx) Audit(actor, action, detail string) error {
	row, err := tx.q.GetRelease(tx.ctx, tx.id)
	if err != nil {
		return fmt.Errorf("get release %q: %w", tx.id, err)
	}
	return tx.audit(actor, action, row.Product, row.Number, detail)
}

func (tx *Tx) audit(actor, action, product string, number int64, detail string) error {
	return audit.Record(tx.ctx, tx.q, tx.now, audit.Entry{Actor: actor, Action: action, Kind: "release",
		Name: fmt.Sprintf("%s #%d", product, number), Detail: detail})
}

// Load reads the release with its environments and applications.
func (tx *Tx) Load() (Release, error) { return load(tx.ctx, tx.q, tx.id) }

// Event appends an event to the release's history.
func (tx *Tx) Event(kind, subject, message string) error {
	_, err := tx.q.CreateReleaseEvent(tx.ctx, db.CreateReleaseEventParams{
		ReleaseID: tx.id, Kind: kind, Subject: subject, Message: message, At: tx.now})
	if err != nil {
		return fmt.Errorf("append event to release %s: %w", tx.id, err)
	}
	tx.events++
	return nil
}

// SetRelease stores r's status, blocker, error and times, and records message as an event.
func (tx *Tx) SetRelease(r Release, message string) error {
	err := tx.q.SetReleaseStatus(tx.ctx, db.SetReleaseStatusParams{
		ID: r.ID, Status: r.Status, Blocker: r.Blocker, Error: r.Error,
		StartedAt: nullTime(r.StartedAt), FinishedAt: nullTime(r.FinishedAt)})
	if err != nil {
		return fmt.Errorf("update release %s: %w", r.ID, err)
	}
	return tx.Event("release", "", message)
}

// SetEnvironment stores e's status, blocker, error and times, and records message as an event.
func (tx *Tx) SetEnvironment(e Environment, message string) error {
	err := tx.q.SetReleaseEnvironmentStatus(tx.ctx, db.SetReleaseEnvironmentStatusParams{
		ReleaseID: tx.id, Name: e.Name, Status: e.Status, Blocker: e.Blocker, Error: e.Error,
		StartedAt: nullTime(e.StartedAt), FinishedAt: nullTime(e.FinishedAt)})
	if err != nil {
		return fmt.Errorf("update environment %s of release %s: %w", e.Name, tx.id, err)
	}
	return tx.Event("environment", e.Name, message)
}

// OverrideFreeze lets the release through the freeze windows of environment env, recording
// override (who and why) on the environment and message as an event.
func (tx *Tx) OverrideFreeze(env, override, message string) error {
	err := tx.q.SetReleaseEnvironmentFreezeOverride(tx.ctx, db.SetReleaseEnvironmentFreezeOverrideParams{
		FreezeOverride: override, ReleaseID: tx.id, Name: env})
	if err != nil {
		return fmt.Errorf("override freeze of %s in release %s: %w", env, tx.id, err)
	}
	return tx.Event("environment", env, message)
}

// SetApplication stores a's progress in environment env and records message as an event.
func (tx *Tx) SetApplication(env string, a Application, message string) error {
	err := tx.q.UpdateReleaseApplication(tx.ctx, db.UpdateReleaseApplicationParams{
		ReleaseID: tx.id, Environment: env, Name: a.Name, Phase: a.Phase, Status: a.Status,
		CommitSha: a.CommitSHA, PullRequestUrl: a.PullRequestURL, Result: a.Result, Error: a.Error,
		StartedAt: nullTime(a.StartedAt), FinishedAt: nullTime(a.FinishedAt), PhaseStartedAt: nullTime(a.PhaseStartedAt)})
	if err != nil {
		return fmt.Errorf("update application %s/%s of release %s: %w", env, a.Name, tx.id, err)
	}
	return tx.Event("application", env+"/"+a.Name, message)
}

func load(ctx context.Context, q *db.Queries, id string) (Release, error) {
	row, err := q.GetRelease(ctx, id)
	if errors.Is(err, sql.ErrNoRows) {
		return Release{}, fmt.Errorf("release %q: %w", id, fault.ErrNotFound)
	}
	if err != nil {
		return Release{}, fmt.Errorf("get release %q: %w", id, err)
	}
	r, err := fromRow(row)
	if err != nil {
		return Release{}, err
	}
	envs, err := q.ListReleaseEnvironments(ctx, id)
	if err != nil {
		return Release{}, fmt.Errorf("list environments of release %s: %w", id, err)
	}
	apps, err := q.ListReleaseApplications(ctx, id)
	if err != nil {
		return Release{}, fmt.Errorf("list applications of release %s: %w", id, err)
	}
	byEnv := map[string][]Application{}
	for _, a := range apps {
		byEnv[a.Environment] = append(byEnv[a.Environment], Application{
			Target: Target{Environment: a.Environment, Name: a.Name, RepoURL: a.RepoUrl, Branch: a.Branch, Path: a.Path,
				ArgocdServer: a.ArgocdServer, ArgocdApp: a.ArgocdApp, HealthURL: a.HealthUrl},
			Phase: a.Phase, Status: a.Status, CommitSHA: a.CommitSha, PullRequestURL: a.PullRequestUrl,
			Result: a.Result, Error: a.Error, StartedAt: timePtr(a.StartedAt), FinishedAt: timePtr(a.FinishedAt),
			PhaseStartedAt: timePtr(a.PhaseStartedAt)})
	}
	for _, e := range envs {
		env := Environment{Name: e.Name, Kind: e.Kind, IsTrigger: e.IsTrigger, Status: e.Status, Blocker: e.Blocker,
			Error: e.Error, StartedAt: timePtr(e.StartedAt), FinishedAt: timePtr(e.FinishedAt),
			Applications: byEnv[e.Name], FreezeOverride: e.FreezeOverride,
			Soak: Soak{After: time.Duration(e.SoakSeconds) * time.Second, Health: e.SoakHealth}}
		if err := json.Unmarshal([]byte(e.DependsOn), &env.DependsOn); err != nil {
			return Release{}, fmt.Errorf("release %s environment %s: read dependsOn: %w", id, e.Name, err)
		}
		if err := json.Unmarshal([]byte(e.Settings), &env.Settings); err != nil {
			return Release{}, fmt.Errorf("release %s environment %s: read settings: %w", id, e.Name, err)
		}
		if err := json.Unmarshal([]byte(e.Hooks), &env.Hooks); err != nil {
			return Release{}, fmt.Errorf("release %s environment %s: read hooks: %w", id, e.Name, err)
		}
		r.Environments = append(r.Environments, env)
	}
	return r, nil
}

func fromRow(row db.Release) (Release, error) {
	r := summaryOf(row)
	if err := json.Unmarshal([]byte(row.Plan), &r.Plan); err != nil {
		return Release{}, fmt.Errorf("release %s: read plan: %w", row.ID, err)
	}
	return r, nil
}

// summaryOf is a release as lists show it: everything but its plan, whose decoding cost a
// third of a list's time.
func summaryOf(row db.Release) Release {
	return Release{ID: row.ID, Number: row.Number, Product: row.Product, Flow: row.Flow, Version: row.Version,
		Trigger: Commit{SHA: row.TriggerSha, Message: row.TriggerMessage, Author: row.TriggerAuthor,
			Branch: row.TriggerBranch, Date: timePtr(row.TriggerDate)},
		TriggerEnv: row.TriggerEnv, SourceApp: row.SourceApp, Initiator: row.Initiator, Status: row.Status,
		Blocker: row.Blocker, Error: row.Error, Timeout: time.Duration(row.TimeoutMinutes) * time.Minute,
		CreatedAt: row.CreatedAt.UTC(), StartedAt: timePtr(row.StartedAt), FinishedAt: timePtr(row.FinishedAt)}
}

func nullTime(t *time.Time) sql.NullTime {
	if t == nil {
		return sql.NullTime{}
	}
	return sql.NullTime{Time: t.UTC(), Valid: true}
}

func timePtr(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
}
