// Package pin owns pins: a product held at a version in one environment, usually set by the
// person who rolled it back there. Automatic releases wait at a pinned environment until it is
// unpinned, and a person must confirm a promotion into it. Who may pin and unpin is decided by
// the promotion service; this package stores pins and audits every change.
package pin

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"ladder/db"
	"ladder/internal/audit"
	"ladder/internal/fault"
)

// Pin holds Product at Version in Environment.
type Pin struct {
	ID          int64
	Product     string
	Environment string
	Version     string
	Reason      string // may be empty
	ReleaseID   string // the roll back release that set it, if any
	PinnedBy    string
	CreatedAt   time.Time
}

// Blocker is the sentence a release waiting at the pinned environment shows:
// "pinned at 1.3.1 by ann: bad cache headers".
func (p Pin) Blocker() string {
	s := "pinned at " + p.Version + " by " + p.PinnedBy
	if p.Reason != "" {
		s += ": " + p.Reason
	}
	return s
}

// Summary names the pin with its environment: "prod is pinned at 1.3.1 by ann (bad cache headers)".
func (p Pin) Summary() string {
	s := p.Environment + " is pinned at " + p.Version + " by " + p.PinnedBy
	if p.Reason != "" {
		s += " (" + p.Reason + ")"
	}
	return s
}

// Holds reports whether the pin keeps release releaseID back: every automatic release, and a
// manual one started before the pin was set (a manual release started later had to confirm
// it). The roll back release that set the pin is never held by it.
func (p Pin) Holds(releaseID string, automatic bool, releaseCreated time.Time) bool {
	return p.ReleaseID != releaseID && (automatic || p.CreatedAt.After(releaseCreated))
}

// Input sets a pin.
type Input struct {
	Product     string
	Environment string
	Version     string
	Reason      string `form:"pinReason" validate:"max=500"`
	ReleaseID   string
	By          string
}

// Service stores pins.
type Service struct {
	db    *sql.DB
	q     *db.Queries
	check *fault.Validator
	now   func() time.Time
}

// NewService returns a Service on conn.
func NewService(conn *sql.DB, check *fault.Validator, now func() time.Time) *Service {
	return &Service{db: conn, q: db.New(conn), check: check, now: now}
}

// Check reports what is wrong with in before anything is stored, next to its field.
func (s *Service) Check(in Input) error {
	in.Reason = strings.TrimSpace(in.Reason)
	return s.check.Struct(in).Err()
}

// Set pins in.Product at in.Version in in.Environment, replacing any pin there, and audits it.
func (s *Service) Set(ctx context.Context, in Input) (Pin, error) {
	in.Reason = strings.TrimSpace(in.Reason)
	if err := s.check.Struct(in).Err(); err != nil {
		return Pin{}, err
	}
	var out Pin
	err := db.InTx(ctx, s.db, func(q *db.Queries) error {
		prod, err := q.GetProduct(ctx, in.Product)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("product %q: %w", in.Product, fault.ErrNotFound)
		} else if err != nil {
			return fmt.Errorf("get product %q: %w", in.Product, err)
		}
		env, err := q.GetEnvironment(ctx, in.Environment)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("environment %q: %w", in.Environment, fault.ErrNotFound)
		} else if err != nil {
			return fmt.Errorf("get environment %q: %w", in.Environment, err)
		}
		now := s.now().UTC()
		if _, err := q.UpsertPin(ctx, db.UpsertPinParams{ProductID: prod.ID, EnvironmentID: env.ID, Version: in.Version,
			Reason: in.Reason, ReleaseID: in.ReleaseID, PinnedBy: in.By, CreatedAt: now}); err != nil {
			return fmt.Errorf("pin %s in %s: %w", in.Product, in.Environment, err)
		}
		if out, err = get(ctx, q, in.Product, in.Environment); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Actor: in.By, Action: "pin", Kind: "pin",
			Name: in.Product + "/" + in.Environment, Detail: out.Blocker()})
	})
	return out, err
}

// Remove unpins product in env for by and audits it; fault.ErrNotFound when it is not pinned.
func (s *Service) Remove(ctx context.Context, product, env, by string) (Pin, error) {
	var out Pin
	err := db.InTx(ctx, s.db, func(q *db.Queries) (err error) {
		if out, err = get(ctx, q, product, env); err != nil {
			return err
		}
		if err := q.DeletePin(ctx, out.ID); err != nil {
			return fmt.Errorf("unpin %s in %s: %w", product, env, err)
		}
		return audit.Record(ctx, q, s.now().UTC(), audit.Entry{Actor: by, Action: "unpin", Kind: "pin",
			Name: product + "/" + env, Detail: "was " + out.Blocker()})
	})
	return out, err
}

// Get returns the pin of product in env, fault.ErrNotFound when there is none.
func (s *Service) Get(ctx context.Context, product, env string) (Pin, error) {
	return get(ctx, s.q, product, env)
}

// Find returns the pin of product in env and whether there is one.
func (s *Service) Find(ctx context.Context, product, env string) (Pin, bool, error) {
	p, err := get(ctx, s.q, product, env)
	if errors.Is(err, fault.ErrNotFound) {
		return Pin{}, false, nil
	}
	return p, err == nil, err
}

func get(ctx context.Context, q *db.Queries, product, env string) (Pin, error) {
	r, err := q.GetPin(ctx, db.GetPinParams{Name: product, Name_2: env})
	if errors.Is(err, sql.ErrNoRows) {
		return Pin{}, fmt.Errorf("pin of %s in %s: %w", product, env, fault.ErrNotFound)
	}
	if err != nil {
		return Pin{}, fmt.Errorf("get pin of %s in %s: %w", product, env, err)
	}
	return fromRow(r), nil
}

// List returns every pin, by product and then environment position.
func (s *Service) List(ctx context.Context) ([]Pin, error) {
	rows, err := s.q.ListPins(ctx)
	if err != nil {
		return nil, fmt.Errorf("list pins: %w", err)
	}
	out := make([]Pin, 0, len(rows))
	for _, r := range rows {
		out = append(out, fromRow(db.GetPinRow(r)))
	}
	return out, nil
}

// OfProduct returns product's pins in environment position order.
func (s *Service) OfProduct(ctx context.Context, product string) ([]Pin, error) {
	rows, err := s.q.ListPinsOfProduct(ctx, product)
	if err != nil {
		return nil, fmt.Errorf("list pins of %s: %w", product, err)
	}
	out := make([]Pin, 0, len(rows))
	for _, r := range rows {
		out = append(out, fromRow(db.GetPinRow(r)))
	}
	return out, nil
}

func fromRow(r db.GetPinRow) Pin {
	return Pin{ID: r.ID, Product: r.Product, Environment: r.Environment, Version: r.Version, Reason: r.Reason,
		ReleaseID: r.ReleaseID, PinnedBy: r.PinnedBy, CreatedAt: r.CreatedAt}
}
