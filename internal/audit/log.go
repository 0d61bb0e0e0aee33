package audit

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"ladder/db"
)

// Stored is one stored audit entry.
type Stored struct {
	ID int64
	At time.Time
	Entry
}

// Filter narrows the audit log; zero fields match everything. To is exclusive.
type Filter struct {
	Actor string
	Kind  string
	From  time.Time
	To    time.Time
}

// Cursor is where a page of the log starts: records strictly older than (At, ID). The zero
// Cursor starts at the newest record.
type Cursor struct {
	At time.Time
	ID int64
}

// String encodes the cursor for a URL.
func (c Cursor) String() string {
	if c.ID == 0 {
		return ""
	}
	return strconv.FormatInt(c.At.UnixNano(), 10) + "-" + strconv.FormatInt(c.ID, 10)
}

// ParseCursor decodes Cursor.String; an empty or malformed string is the first page.
func ParseCursor(s string) Cursor {
	at, id, ok := strings.Cut(s, "-")
	nanos, err1 := strconv.ParseInt(at, 10, 64)
	n, err2 := strconv.ParseInt(id, 10, 64)
	if !ok || err1 != nil || err2 != nil {
		return Cursor{}
	}
	return Cursor{At: time.Unix(0, nanos).UTC(), ID: n}
}

// Log reads the audit log: newest first, filtered, a page at a time by keyset, so it stays fast
// however long the log grows.
type Log struct{ q *db.Queries }

// NewLog returns a Log on conn.
func NewLog(conn *sql.DB) *Log { return &Log{q: db.New(conn)} }

// Page returns up to size records matching f, older than after, and the cursor of the next page
// (zero when there is none). Each filter has its own query, so that the page is a range of the
// index that filter names, however long the log grows.
func (l *Log) Page(ctx context.Context, f Filter, after Cursor, size int) ([]Stored, Cursor, error) {
	from, before := f.bounds(after)
	limit := int64(size) + 1 // one more tells whether another page follows
	var rows []db.AuditLog
	var err error
	switch {
	case f.Actor != "":
		rows, err = l.q.ListAuditPageOfActor(ctx, db.ListAuditPageOfActorParams{Actor: f.Actor, EntityKind: text(f.Kind),
			FromAt: from, BeforeAt: before.At, BeforeID: before.ID, PageSize: limit})
	case f.Kind != "":
		rows, err = l.q.ListAuditPageOfKind(ctx, db.ListAuditPageOfKindParams{EntityKind: f.Kind,
			FromAt: from, BeforeAt: before.At, BeforeID: before.ID, PageSize: limit})
	default:
		rows, err = l.q.ListAuditPage(ctx, db.ListAuditPageParams{FromAt: from, BeforeAt: before.At, BeforeID: before.ID, PageSize: limit})
	}
	if err != nil {
		return nil, Cursor{}, fmt.Errorf("list audit log: %w", err)
	}
	var next Cursor
	if len(rows) > size {
		rows = rows[:size]
		last := rows[size-1]
		next = Cursor{At: last.At.UTC(), ID: last.ID}
	}
	records := make([]Stored, 0, len(rows))
	for _, r := range rows {
		records = append(records, Stored{ID: r.ID, At: r.At.UTC(), Entry: Entry{Actor: r.Actor, Action: r.Action,
			Kind: r.EntityKind, Name: r.EntityName, Detail: r.Detail}})
	}
	return records, next, nil
}

// bounds turns f's dates and the cursor into the range a page is read from: records at or
// after from, and strictly below before in (at, id) order. A bound f or the cursor leaves
// open is the widest there is.
func (f Filter) bounds(after Cursor) (from time.Time, before Cursor) {
	before = Cursor{At: time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC), ID: math.MaxInt64}
	if !f.To.IsZero() {
		before = Cursor{At: f.To.UTC(), ID: math.MinInt64} // before To itself: exclusive
	}
	if after.ID != 0 && (after.At.Before(before.At) || after.At.Equal(before.At) && after.ID < before.ID) {
		before = Cursor{At: after.At.UTC(), ID: after.ID}
	}
	return f.From.UTC(), before
}

// Kinds lists the entity kinds that appear in the log, for the filter.
func (l *Log) Kinds(ctx context.Context) ([]string, error) {
	kinds, err := l.q.ListAuditKinds(ctx)
	if err != nil {
		return nil, fmt.Errorf("list audit kinds: %w", err)
	}
	return kinds, nil
}

func text(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }
