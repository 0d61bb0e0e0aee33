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
	v := &versions{}
	conn := sql.OpenDB(connector{Connector: base, v: v})
	// Keep connections open between requests: database/sql keeps only 2 idle by default, and
	// opening a SQLite connection (pragmas, WAL setup) cost more CPU than the queries under
	// concurrent page loads and event streams.
	conn.SetMaxIdleConns(64)
	conn.SetConnMaxIdleTime(time.Minute)
	if err := Migrate(ctx, conn); err != nil {
		conn.Close()
		return nil, err
	}
	if err := v.learn(ctx, conn); err != nil {
		conn.Close()
		return nil, err
	}
	return conn, nil
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
