package audit

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"ladder/db"
)

// timeFormat is how SQLite holds timestamps (UTC); comparing these strings orders them in time.
const timeFormat = "2006-01-02 15:04:05.999999999-07:00"

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
// (zero when there is none).
func (l *Log) Page(ctx context.Context, f Filter, after Cursor, size int) ([]Stored, Cursor, error) {
	rows, err := l.q.ListAuditPage(ctx, db.ListAuditPageParams{
		Actor: text(f.Actor), EntityKind: text(f.Kind), FromAt: stamp(f.From), ToAt: stamp(f.To),
		BeforeAt: stamp(after.At), BeforeID: sql.NullInt64{Int64: after.ID, Valid: after.ID != 0},
		PageSize: int64(size) + 1, // one more tells whether another page follows
	})
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

// Kinds lists the entity kinds that appear in the log, for the filter.
func (l *Log) Kinds(ctx context.Context) ([]string, error) {
	kinds, err := l.q.ListAuditKinds(ctx)
	if err != nil {
		return nil, fmt.Errorf("list audit kinds: %w", err)
	}
	return kinds, nil
}

func text(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

func stamp(t time.Time) sql.NullString {
	if t.IsZero() {
		return sql.NullString{}
	}
	return sql.NullString{String: t.UTC().Format(timeFormat), Valid: true}
}
