// Package notify sends outgoing notifications about releases: a generic JSON webhook or a
// Slack-compatible incoming webhook, per product or for every product, when a release or one
// of its environments starts, succeeds, fails or waits (for an approval, a pull request …).
// Status changes are read from a table a database trigger fills, so the runner needs no
// change; deliveries sit in an outbox with retries and backoff, and nothing here ever
// blocks or fails a release.
package notify

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"ladder/db"
	"ladder/internal/audit"
	"ladder/internal/fault"
)

// Kinds of channel.
const (
	KindWebhook = "webhook" // the Payload as JSON
	KindSlack   = "slack"   // {"text": …} for a Slack (or compatible) incoming webhook
)

// Channel is where notifications go.
type Channel struct {
	ID        int64
	Name      string
	Kind      string
	URL       string // may hold a secret (Slack's are tokens): show Host only
	Product   string // empty: every product
	CreatedAt time.Time
}

// Host is the part of the URL that may be shown.
func (c Channel) Host() string {
	u, err := url.Parse(c.URL)
	if err != nil {
		return "?"
	}
	return u.Scheme + "://" + u.Host
}

// Input is what an admin sets on a channel.
type Input struct {
	Name    string `form:"name" validate:"required,dnslabel"`
	Kind    string `form:"kind" validate:"required,oneof=webhook slack"`
	URL     string `form:"url" validate:"required,http_url,max=2000"`
	Product string `form:"product" validate:"omitempty,dnslabel"`
}

// Delivery is one notification sent (or being sent) to a channel.
type Delivery struct {
	ID          int64
	Channel     string
	Event       string
	Status      string // pending, delivered or failed (given up)
	Attempts    int64
	NextAttempt time.Time
	LastError   string
	CreatedAt   time.Time
}

// Service manages channels and shows deliveries.
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

// Channels lists every channel by name.
func (s *Service) Channels(ctx context.Context) ([]Channel, error) {
	rows, err := s.q.ListNotificationChannels(ctx)
	if err != nil {
		return nil, fmt.Errorf("list notification channels: %w", err)
	}
	out := make([]Channel, 0, len(rows))
	for _, r := range rows {
		out = append(out, channelOf(r))
	}
	return out, nil
}

// Create adds a channel.
func (s *Service) Create(ctx context.Context, in Input) (Channel, error) {
	in.Name, in.URL, in.Product = strings.TrimSpace(in.Name), strings.TrimSpace(in.URL), strings.TrimSpace(in.Product)
	if fe := s.check.Struct(in); len(fe) > 0 {
		return Channel{}, fe
	}
	var created Channel
	err := db.InTx(ctx, s.db, func(q *db.Queries) error {
		if _, err := q.GetNotificationChannel(ctx, in.Name); err == nil {
			return fault.FieldErrors{"name": fmt.Sprintf("a channel called %q already exists", in.Name)}
		}
		now := s.now().UTC()
		r, err := q.CreateNotificationChannel(ctx, db.CreateNotificationChannelParams{Name: in.Name, Kind: in.Kind,
			Url: in.URL, Product: in.Product, CreatedAt: now, UpdatedAt: now})
		if err != nil {
			return fmt.Errorf("create notification channel %q: %w", in.Name, err)
		}
		created = channelOf(r)
		return audit.Record(ctx, q, now, audit.Entry{Actor: audit.Actor(ctx), Action: "create",
			Kind: "notification channel", Name: in.Name, Detail: in.Kind + " to " + created.Host()})
	})
	return created, err
}

// Delete removes the channel called name and its deliveries.
func (s *Service) Delete(ctx context.Context, name string) error {
	return db.InTx(ctx, s.db, func(q *db.Queries) error {
		r, err := q.GetNotificationChannel(ctx, name)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("notification channel %q: %w", name, fault.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("get notification channel %q: %w", name, err)
		}
		if err := q.DeleteNotificationChannel(ctx, r.ID); err != nil {
			return fmt.Errorf("delete notification channel %q: %w", name, err)
		}
		return audit.Record(ctx, q, s.now().UTC(), audit.Entry{Actor: audit.Actor(ctx), Action: "delete",
			Kind: "notification channel", Name: name})
	})
}

// Deliveries returns the latest deliveries, newest first.
func (s *Service) Deliveries(ctx context.Context, limit int) ([]Delivery, error) {
	rows, err := s.q.ListRecentDeliveries(ctx, int64(limit))
	if err != nil {
		return nil, fmt.Errorf("list deliveries: %w", err)
	}
	out := make([]Delivery, 0, len(rows))
	for _, r := range rows {
		out = append(out, Delivery{ID: r.ID, Channel: r.Channel, Event: r.Event, Status: r.Status, Attempts: r.Attempts,
			NextAttempt: r.NextAttemptAt, LastError: r.LastError, CreatedAt: r.CreatedAt})
	}
	return out, nil
}

func channelOf(r db.NotificationChannel) Channel {
	return Channel{ID: r.ID, Name: r.Name, Kind: r.Kind, URL: r.Url, Product: r.Product, CreatedAt: r.CreatedAt}
}
