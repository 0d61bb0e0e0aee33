package notify

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"time"

	"ladder/db"
)

// Options tune the notifier; zero values take the defaults.
type Options struct {
	Interval    time.Duration // how often it looks for changes and due deliveries (default 500ms)
	Timeout     time.Duration // how long one delivery may take (default 10s)
	MaxAttempts int64         // attempts before a delivery is given up (default 8)
	Client      *http.Client
}

// Notifier turns release status changes into deliveries and sends them, in its own
// goroutine. It works from the database alone, so a restart loses nothing.
type Notifier struct {
	channels  *Service
	db        *sql.DB
	q         *db.Queries
	log       *slog.Logger
	now       func() time.Time
	publicURL string
	opts      Options
	wg        sync.WaitGroup
	mu        sync.Mutex
	busy      map[int64]bool // channels with a delivery in flight
}

// NewNotifier returns a notifier for the channels of channels; links in notifications start
// with publicURL.
func NewNotifier(channels *Service, publicURL string, log *slog.Logger, now func() time.Time, opts Options) *Notifier {
	if opts.Interval <= 0 {
		opts.Interval = 500 * time.Millisecond
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 10 * time.Second
	}
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = 8
	}
	if opts.Client == nil {
		opts.Client = &http.Client{}
	}
	return &Notifier{channels: channels, db: channels.db, q: channels.q, log: log, now: now, publicURL: publicURL, opts: opts, busy: map[int64]bool{}}
}

// Start runs the notifier until ctx is cancelled; Wait waits for it to stop.
func (n *Notifier) Start(ctx context.Context) {
	n.wg.Add(1)
	go func() {
		defer n.wg.Done()
		t := time.NewTicker(n.opts.Interval)
		defer t.Stop()
		for {
			if err := n.collect(ctx); err != nil && ctx.Err() == nil {
				n.log.Warn("collect notifications", "err", err)
			}
			n.deliver(ctx)
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
}

// Wait blocks until the notifier has stopped.
func (n *Notifier) Wait() { n.wg.Wait() }

const cursorName = "status-changes"

// collect queues a delivery per matching channel for every status change after the cursor,
// and moves the cursor, in one transaction.
func (n *Notifier) collect(ctx context.Context) error {
	return db.InTx(ctx, n.db, func(q *db.Queries) error {
		last, err := q.GetNotificationCursor(ctx, cursorName)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("read cursor: %w", err)
		}
		changes, err := q.ListStatusChangesAfter(ctx, db.ListStatusChangesAfterParams{ID: last, Limit: 500})
		if err != nil || len(changes) == 0 {
			return err
		}
		for _, c := range changes {
			if err := n.queue(ctx, q, c); err != nil {
				return err
			}
		}
		return q.SetNotificationCursor(ctx, db.SetNotificationCursorParams{Name: cursorName, LastID: changes[len(changes)-1].ID})
	})
}

func (n *Notifier) queue(ctx context.Context, q *db.Queries, c db.ReleaseStatusChange) error {
	event := eventOf(c)
	if event == "" {
		return nil
	}
	// The channels first: with none for this product (the usual case for most changes) the
	// release need not be read at all.
	channels, err := q.ListChannelsForRelease(ctx, c.ReleaseID)
	if err != nil || len(channels) == 0 {
		return err
	}
	rel, err := q.GetRelease(ctx, c.ReleaseID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil // deleted since
	}
	if err != nil {
		return fmt.Errorf("read release %s: %w", c.ReleaseID, err)
	}
	now := n.now().UTC()
	p := payloadOf(event, c, rel, n.publicURL, now)
	for _, ch := range channels {
		b, err := body(ch.Kind, p)
		if err != nil {
			return err
		}
		if err := q.CreateNotificationDelivery(ctx, db.CreateNotificationDeliveryParams{ChannelID: ch.ID, Event: event,
			Payload: string(b), NextAttemptAt: now, CreatedAt: now}); err != nil {
			return fmt.Errorf("queue delivery: %w", err)
		}
	}
	return nil
}

// deliver starts, for each channel with a due delivery and none in flight, a goroutine that
// sends its due deliveries one after the other, in order. A channel whose receiver fails or
// hangs holds back only its own later notifications, never another channel's.
func (n *Notifier) deliver(ctx context.Context) {
	due, err := n.q.ListDueDeliveries(ctx, n.now().UTC())
	if err != nil {
		if ctx.Err() == nil {
			n.log.Warn("list due notifications", "err", err)
		}
		return
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, d := range due {
		if n.busy[d.ChannelID] {
			continue
		}
		n.busy[d.ChannelID] = true
		n.wg.Add(1)
		go func() {
			defer n.wg.Done()
			n.drain(ctx, d)
			n.mu.Lock()
			delete(n.busy, d.ChannelID)
			n.mu.Unlock()
		}()
	}
}

// drain sends d and then the channel's next due deliveries until one fails or none is due.
func (n *Notifier) drain(ctx context.Context, d db.ListDueDeliveriesRow) {
	for ctx.Err() == nil {
		target, err := n.channels.openURL(d.UrlSealed)
		if err == nil {
			err = n.send(ctx, d.Kind, target, []byte(d.Payload))
		}
		if !n.record(ctx, d, err) || err != nil {
			return
		}
		due, err := n.q.ListDueDeliveries(ctx, n.now().UTC())
		if err != nil {
			return
		}
		i := slices.IndexFunc(due, func(x db.ListDueDeliveriesRow) bool { return x.ChannelID == d.ChannelID })
		if i < 0 {
			return
		}
		d = due[i]
	}
}

func (n *Notifier) send(ctx context.Context, kind, url string, payload []byte) error {
	ctx, cancel := context.WithTimeout(ctx, n.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(payload))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Ladder-Notifier/1")
	resp, err := n.opts.Client.Do(req)
	if err != nil {
		var uerr interface{ Unwrap() error } // drop the URL (it may hold a token) from the message
		if errors.As(err, &uerr) && uerr.Unwrap() != nil {
			err = uerr.Unwrap()
		}
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("the receiver answered %s", resp.Status)
	}
	return nil
}

// record stores the outcome of one attempt; it reports whether that worked.
func (n *Notifier) record(ctx context.Context, d db.ListDueDeliveriesRow, sendErr error) bool {
	now := n.now().UTC()
	var err error
	if sendErr == nil {
		err = n.q.MarkDeliveryDone(ctx, db.MarkDeliveryDoneParams{DeliveredAt: sql.NullTime{Time: now, Valid: true}, ID: d.ID})
	} else {
		status := "pending"
		if d.Attempts+1 >= n.opts.MaxAttempts {
			status = "failed"
		}
		err = n.q.MarkDeliveryFailed(ctx, db.MarkDeliveryFailedParams{Status: status,
			NextAttemptAt: now.Add(backoff(d.Attempts + 1)), LastError: sendErr.Error(), ID: d.ID})
	}
	if err != nil && ctx.Err() == nil {
		n.log.Warn("record notification delivery", "id", d.ID, "err", err)
	}
	return err == nil
}

// backoff is the wait before attempt n+1: 2s, 4s, 8s … capped at 10 minutes.
func backoff(attempts int64) time.Duration {
	d := time.Second << min(attempts, 10)
	return min(d, 10*time.Minute)
}
