package release

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base32"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"ladder/db"
	"ladder/internal/broker"
)

// Service creates, reads and changes releases.
type Service struct {
	db     *sql.DB
	q      *db.Queries
	now    func() time.Time
	broker *broker.Broker
}

// NewService returns a Service on conn that announces changes on b.
func NewService(conn *sql.DB, b *broker.Broker, now func() time.Time) *Service {
	return &Service{db: conn, q: db.New(conn), now: now, broker: b}
}

// Spec is everything needed to create a release; the caller has resolved the model into it.
type Spec struct {
	Product      string
	Flow         string
	Version      string
	TriggerEnv   string
	SourceApp    string
	Initiator    string
	Trigger      Commit
	Plan         Plan
	Timeout      time.Duration
	Environments []EnvironmentSpec
	// Cause is the release action that starts it, for the audit log: "start" (the default) or
	// "rollback".
	Cause string
	// Reason is why an admin lifted a binding policy's setting; it is recorded with the release.
	Reason string
}

// EnvironmentSpec is one environment of a new release and the applications promoted there.
type EnvironmentSpec struct {
	Name         string
	Kind         string // production or non-production
	IsTrigger    bool
	Hooks        EnvironmentHooks
	DependsOn    []string
	Settings     Settings
	Soak         Soak
	Applications []Target
}

// Create stores a new QUEUED release from spec and runs then in the same transaction (the
// runner enqueues its first job there).
func (s *Service) Create(ctx context.Context, spec Spec, then func(*Tx) error) (Release, error) {
	now := s.now().UTC()
	id := NewID(now)
	plan, err := json.Marshal(spec.Plan)
	if err != nil {
		return Release{}, fmt.Errorf("encode plan: %w", err)
	}
	err = s.change(ctx, id, func(tx *Tx) error {
		q := tx.q
		number, err := q.NextReleaseNumber(ctx, spec.Product)
		if err != nil {
			return fmt.Errorf("next release number: %w", err)
		}
		if err := q.CreateRelease(ctx, db.CreateReleaseParams{ID: id, Product: spec.Product, Number: number,
			Flow: spec.Flow, Version: spec.Version, TriggerEnv: spec.TriggerEnv, SourceApp: spec.SourceApp,
			TriggerSha: spec.Trigger.SHA, TriggerMessage: spec.Trigger.Message, TriggerAuthor: spec.Trigger.Author,
			TriggerBranch: spec.Trigger.Branch, TriggerDate: nullTime(spec.Trigger.Date), Initiator: spec.Initiator,
			Status: Queued, Plan: string(plan), TimeoutMinutes: int64(spec.Timeout / time.Minute), CreatedAt: now}); err != nil {
			return fmt.Errorf("create release: %w", err)
		}
		for i, e := range spec.Environments {
			if err := createEnvironment(ctx, q, id, spec.Product, i, e); err != nil {
				return err
			}
		}
		if err := tx.Event("release", "", fmt.Sprintf("release #%d of %s created by %s", number, spec.Product, spec.Initiator)); err != nil {
			return err
		}
		if spec.Reason != "" {
			if err := tx.Event("release", "", "binding settings lifted by "+spec.Initiator+": "+spec.Reason); err != nil {
				return err
			}
		}
		cause := spec.Cause
		if cause == "" {
			cause = "start"
		}
		if err := tx.audit(spec.Initiator, cause, spec.Product, number, spec.Reason); err != nil {
			return err
		}
		return then(tx)
	})
	if err != nil {
		return Release{}, err
	}
	return s.Get(ctx, id)
}

func createEnvironment(ctx context.Context, q *db.Queries, id, product string, pos int, e EnvironmentSpec) error {
	deps, _ := json.Marshal(append([]string{}, e.DependsOn...)) // a []string always encodes
	settings, _ := json.Marshal(e.Settings)
	hooks, _ := json.Marshal(e.Hooks)
	if err := q.CreateReleaseEnvironment(ctx, db.CreateReleaseEnvironmentParams{ReleaseID: id, Product: product, Name: e.Name,
		Position: int64(pos), IsTrigger: e.IsTrigger, DependsOn: string(deps), Settings: string(settings),
		Status: Pending, Kind: e.Kind, Hooks: string(hooks),
		SoakSeconds: int64(e.Soak.After / time.Second), SoakHealth: e.Soak.Health}); err != nil {
		return fmt.Errorf("create release environment %s: %w", e.Name, err)
	}
	for j, a := range e.Applications {
		if err := q.CreateReleaseApplication(ctx, db.CreateReleaseApplicationParams{ReleaseID: id,
			Environment: e.Name, Name: a.Name, Position: int64(j), RepoUrl: a.RepoURL, Branch: a.Branch,
			Path: a.Path, ArgocdServer: a.ArgocdServer, ArgocdApp: a.ArgocdApp, HealthUrl: a.HealthURL,
			Phase: PhaseAction, Status: Pending}); err != nil {
			return fmt.Errorf("create release application %s/%s: %w", e.Name, a.Name, err)
		}
	}
	return nil
}

// Get returns the release with id, with its environments and applications.
func (s *Service) Get(ctx context.Context, id string) (Release, error) { return load(ctx, s.q, id) }

// Change runs fn on release id inside one transaction and, once it commits, announces the
// events fn wrote to live pages.
func (s *Service) Change(ctx context.Context, id string, fn func(*Tx) error) error {
	return s.change(ctx, id, fn)
}

func (s *Service) change(ctx context.Context, id string, fn func(*Tx) error) error {
	var events int
	err := db.InTx(ctx, s.db, func(q *db.Queries) error {
		tx := &Tx{ctx: ctx, q: q, now: s.now().UTC(), id: id}
		err := fn(tx)
		events = tx.events
		return err
	})
	if err == nil && events > 0 {
		s.broker.Publish(id)
	}
	return err
}

// EventsAfter returns up to limit events of release id that came after event after.
func (s *Service) EventsAfter(ctx context.Context, id string, after int64, limit int) ([]Event, error) {
	rows, err := s.q.ListReleaseEventsAfter(ctx, db.ListReleaseEventsAfterParams{ReleaseID: id, ID: after, Limit: int64(limit)})
	if err != nil {
		return nil, fmt.Errorf("list events of release %s: %w", id, err)
	}
	events := make([]Event, 0, len(rows))
	for _, r := range rows {
		events = append(events, eventFromRow(r))
	}
	return events, nil
}

// RecentEvents returns the newest limit events of release id, oldest first.
func (s *Service) RecentEvents(ctx context.Context, id string, limit int) ([]Event, error) {
	rows, err := s.q.ListRecentReleaseEvents(ctx, db.ListRecentReleaseEventsParams{ReleaseID: id, Limit: int64(limit)})
	if err != nil {
		return nil, fmt.Errorf("list events of release %s: %w", id, err)
	}
	events := make([]Event, len(rows))
	for i, r := range rows {
		events[len(rows)-1-i] = eventFromRow(r)
	}
	return events, nil
}

func eventFromRow(r db.ReleaseEvent) Event {
	return Event{ID: r.ID, ReleaseID: r.ReleaseID, Kind: r.Kind, Subject: r.Subject, Message: r.Message, At: r.At.UTC()}
}

func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

var idEncoding = base32.NewEncoding("0123456789abcdefghijklmnopqrstuv").WithPadding(base32.NoPadding)

// NewID returns a release ID: the creation time in milliseconds as 12 hex digits, then 8
// random base32 characters. IDs sort by creation time and are safe in URLs.
func NewID(now time.Time) string {
	var b [5]byte
	_, _ = rand.Read(b[:]) // crypto/rand never fails on supported platforms
	return fmt.Sprintf("%012x", now.UnixMilli()) + strings.ToLower(idEncoding.EncodeToString(b[:]))
}
