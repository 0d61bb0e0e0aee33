// Package db holds Ladder's schema (goose migrations), the sqlc-generated queries and the
// two hand-written helpers every service uses: Open and InTx.
package db

//go:generate go run github.com/sqlc-dev/sqlc/cmd/sqlc@v1.31.1 generate -f ../sqlc.yaml

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"net/url"
	"sync/atomic"
	"time"

	"github.com/pressly/goose/v3"
	"modernc.org/sqlite"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Open opens (creating if needed) the SQLite database at path and brings its schema up to date.
// The pragmas are the ones that hold under concurrent writers: WAL, a busy timeout, foreign
// keys, and immediate transactions so read-then-write transactions never fail with "locked".
func Open(ctx context.Context, path string) (*sql.DB, error) {
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() +
		"?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)" +
		"&_pragma=synchronous(NORMAL)&_txlock=immediate&_time_format=sqlite"
	base, err := sqlite.NewConnector(dsn)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	conn := sql.OpenDB(connector{Connector: base, version: new(atomic.Uint64)})
	// Keep connections open between requests: database/sql keeps only 2 idle by default, and
	// opening a SQLite connection (pragmas, WAL setup) cost more CPU than the queries under
	// concurrent page loads and event streams.
	conn.SetMaxIdleConns(64)
	conn.SetConnMaxIdleTime(time.Minute)
	if err := Migrate(ctx, conn); err != nil {
		conn.Close()
		return nil, err
	}
	return conn, nil
}

// TimeLayout is how the driver writes times (the DSN's _time_format=sqlite); ParseTime reads
// one selected as text.
const TimeLayout = "2006-01-02 15:04:05.999999999-07:00"

// ParseTime reads a time stored by the driver, in UTC; a value written by SQL itself
// (CURRENT_TIMESTAMP) or as RFC 3339 is read too.
func ParseTime(s string) (time.Time, error) {
	t, err := time.Parse(TimeLayout, s)
	for _, layout := range []string{time.RFC3339Nano, time.DateTime} {
		if err == nil {
			break
		}
		t, err = time.Parse(layout, s)
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("stored time %q: not a time the database writes", s)
	}
	return t.UTC(), nil
}

// Migrate applies every embedded migration that the database has not seen yet.
func Migrate(ctx context.Context, conn *sql.DB) error {
	provider, err := goose.NewProvider(goose.DialectSQLite3, conn, mustSub(migrations, "migrations"))
	if err != nil {
		return fmt.Errorf("prepare migrations: %w", err)
	}
	if _, err := provider.Up(ctx); err != nil {
		return fmt.Errorf("migrate database: %w", err)
	}
	return nil
}
