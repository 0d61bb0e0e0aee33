package db

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
)

// InTx runs fn inside one transaction: committed when fn returns nil, rolled back otherwise.
// It is the only way Ladder writes more than one statement at a time.
func InTx(ctx context.Context, conn *sql.DB, fn func(q *Queries) error) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	if err := fn(New(tx)); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit transaction: %w", err)
	}
	return nil
}

func mustSub(fsys fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(fsys, dir)
	if err != nil {
		panic(err) // the directory is embedded at build time; failing here is a build mistake
	}
	return sub
}
