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
	"fmt"
	"net/url"
	"strings"
	"time"

	"ladder/db"
	"ladder/internal/fault"
	"ladder/internal/sealed"
	"ladder/internal/secret"
)

// Kinds of channel.
const (
	KindWebhook = "webhook" // the Payload as JSON
	KindSlack   = "slack"   // {"text": …} for a Slack (or compatible) incoming webhook
)

// Channel is where notifications go. Its URL is sealed at rest and never leaves the package:
// it may hold a secret (Slack's are tokens), so pages show Host only.
type Channel struct {
	ID        int64
	Name      string
	Kind      string
	Host      string // the URL's scheme and host
	Product   string // empty: every product
	CreatedAt time.Time
}

// Input is what an admin sets on a channel.
type Input struct {
	Name    string `form:"name" validate:"required,dnslabel"`
	Kind    string `form:"kind" validate:"required,oneof=webhook slack"`
	URL     string `form:"url" validate:"omitempty,http_url,max=2000"`
	Product string `form:"product" validate:"omitempty,dnslabel"`
}

// hostOf is the part of a URL that may be shown.
func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "?"
	}
	return u.Scheme + "://" + u.Host
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

// urlPurpose binds the sealed URLs to notification channels.
const urlPurpose = "notification-url"

// Service manages channels (List, Get, Create, Update, Delete come from the sealed settings
// service) and shows deliveries.
type Service struct {
	*sealed.Service[Channel, Input]
	db  *sql.DB
	q   *db.Queries
	box *secret.Box
	now func() time.Time
}

// NewService returns a Service on conn, sealing channel URLs with box.
func NewService(conn *sql.DB, box *secret.Box, check *fault.Validator, now func() time.Time) *Service {
	return &Service{Service: sealed.NewService(conn, box, check, now, kind), db: conn, q: db.New(conn), box: box, now: now}
}

var kind = sealed.Kind[Channel, Input]{
	Noun: "notification channel", Taken: "a channel called %q already exists", Audit: "notification channel",
	Store: store{},
	Secrets: []sealed.Secret[Input]{{Purpose: urlPurpose, Changed: "URL replaced",
		Value: func(in Input) string { return in.URL }}},
	Name: func(in Input) string { return in.Name },
	Normalize: func(in Input) Input {
		in.Name, in.URL, in.Product = strings.TrimSpace(in.Name), strings.TrimSpace(in.URL), strings.TrimSpace(in.Product)
		return in
	},
	Check: func(in Input, old *Channel, fe fault.FieldErrors) {
		if in.URL == "" && old == nil {
			fe.Add("url", "is required")
		}
	},
	Describe: func(in Input) string {
		d := in.Kind
		if in.URL != "" {
			d += " to " + hostOf(in.URL)
		}
		return d
	},
}

// SealStored seals the URLs of channels stored before URLs were sealed, and forgets their
// plain text. Ladder calls it at start.
func (s *Service) SealStored(ctx context.Context) error {
	return db.InTx(ctx, s.db, func(q *db.Queries) error {
		rows, err := q.ListPlainNotificationURLs(ctx)
		if err != nil {
			return fmt.Errorf("list notification URLs: %w", err)
		}
		for _, r := range rows {
			sealedURL := s.box.Seal(urlPurpose, []byte(r.Url))
			if err := q.SealNotificationURL(ctx, db.SealNotificationURLParams{UrlSealed: sealedURL, Host: hostOf(r.Url), ID: r.ID}); err != nil {
				return fmt.Errorf("seal notification URL: %w", err)
			}
		}
		return nil
	})
}

// openURL returns a channel's URL from its sealed form.
func (s *Service) openURL(sealedURL []byte) (string, error) {
	plain, err := s.box.Open(urlPurpose, sealedURL)
	if err != nil {
		return "", fmt.Errorf("open the channel's URL: %w", err)
	}
	return string(plain), nil
}

// store keeps channels in the notification_channels table.
type store struct{}

func (store) Get(ctx context.Context, q *db.Queries, name string) (sealed.Record[Channel], error) {
	r, err := q.GetNotificationChannel(ctx, name)
	return recordOf(r), err
}

func (store) List(ctx context.Context, q *db.Queries) ([]sealed.Record[Channel], error) {
	rows, err := q.ListNotificationChannels(ctx)
	return sealed.Records(rows, recordOf), err
}

func (store) Create(ctx context.Context, q *db.Queries, in Input, sealedBy map[string][]byte, now time.Time) (sealed.Record[Channel], error) {
	r, err := q.CreateNotificationChannel(ctx, db.CreateNotificationChannelParams{Name: in.Name, Kind: in.Kind,
		UrlSealed: sealedBy[urlPurpose], Host: hostOf(in.URL), Product: in.Product, CreatedAt: now, UpdatedAt: now})
	return recordOf(r), err
}

func (store) Update(ctx context.Context, q *db.Queries, id int64, in Input, sealedBy map[string][]byte, now time.Time) (sealed.Record[Channel], error) {
	host := "" // keeps the stored one
	if in.URL != "" {
		host = hostOf(in.URL)
	}
	r, err := q.UpdateNotificationChannel(ctx, db.UpdateNotificationChannelParams{Name: in.Name, Kind: in.Kind,
		UrlSealed: sealedBy[urlPurpose], Host: host, Product: in.Product, UpdatedAt: now, ID: id})
	return recordOf(r), err
}

func (store) Delete(ctx context.Context, q *db.Queries, id int64) error {
	return q.DeleteNotificationChannel(ctx, id)
}

func recordOf(r db.NotificationChannel) sealed.Record[Channel] {
	return sealed.Record[Channel]{ID: r.ID, Name: r.Name, Sealed: map[string][]byte{urlPurpose: r.UrlSealed},
		Value: Channel{ID: r.ID, Name: r.Name, Kind: r.Kind, Host: r.Host, Product: r.Product, CreatedAt: r.CreatedAt}}
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
