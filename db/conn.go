package db

import (
	"context"
	"database/sql/driver"
	"strings"
)

// versionedDriver is what a database opened with Open reports as its driver, so that Version
// finds the database's counters.
type versionedDriver struct {
	driver.Driver
	v *versions
}

// maxStatements bounds the statements one connection keeps prepared; the queries are a fixed
// set, so the bound only matters for statements built at run time.
const maxStatements = 512

// connector opens SQLite connections wrapped in conn, all moving one set of versions.
type connector struct {
	driver.Connector
	v *versions
}

func (c connector) Connect(ctx context.Context) (driver.Conn, error) {
	dc, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &conn{Conn: dc, v: c.v, stmts: map[string]*cachedStmt{}}, nil
}

func (c connector) Driver() driver.Driver {
	return versionedDriver{Driver: c.Connector.Driver(), v: c.v}
}

// conn is one SQLite connection that keeps every statement it ran prepared for its next run
// (SQLite parsing a statement cost as much CPU as running it, on the pages), and moves
// Version after writes. database/sql uses a connection from one goroutine at a time.
type conn struct {
	driver.Conn
	v     *versions
	stmts map[string]*cachedStmt
	tx    *tx // the open transaction, if any
}

type cachedStmt struct {
	driver.Stmt
	busy bool // its rows are still open: a second use at the same time gets its own statement
}

// Unwrap returns the driver's own connection.
func (c *conn) Unwrap() driver.Conn { return c.Conn }

// statement returns query prepared, and a function to call once its result is consumed.
func (c *conn) statement(ctx context.Context, query string) (driver.Stmt, func(), error) {
	if s := c.stmts[query]; s != nil && !s.busy {
		s.busy = true
		return s.Stmt, func() { s.busy = false }, nil
	}
	ds, err := c.Conn.(driver.ConnPrepareContext).PrepareContext(ctx, query)
	if err != nil {
		return nil, nil, err
	}
	if _, taken := c.stmts[query]; taken || len(c.stmts) >= maxStatements {
		return ds, func() { _ = ds.Close() }, nil
	}
	s := &cachedStmt{Stmt: ds, busy: true}
	c.stmts[query] = s
	return ds, func() { s.busy = false }, nil
}

// wrote notes a write by query: at once outside a transaction, at commit inside one.
func (c *conn) wrote(query string) {
	if c.tx != nil {
		if w := c.tx.writes; len(w) == 0 || w[len(w)-1] != query { // a loop writes one statement many times
			c.tx.writes = append(w, query)
		}
		return
	}
	c.v.moved([]string{query})
}

func (c *conn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	s, release, err := c.statement(ctx, query)
	if err != nil {
		return nil, err
	}
	res, err := s.(driver.StmtExecContext).ExecContext(ctx, args)
	release()
	c.executed(query, res, err)
	return res, err
}

func (c *conn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	s, release, err := c.statement(ctx, query)
	if err != nil {
		return nil, err
	}
	r, err := s.(driver.StmtQueryContext).QueryContext(ctx, args)
	if err != nil {
		release()
		return nil, err
	}
	return &rows{Rows: r, c: c, query: query, release: release}, nil
}

func (c *conn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	ds, err := c.Conn.(driver.ConnPrepareContext).PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	return &stmt{Stmt: ds, c: c, query: query}, nil
}

func (c *conn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	t, err := c.Conn.(driver.ConnBeginTx).BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	c.tx = &tx{Tx: t, c: c}
	return c.tx, nil
}

func (c *conn) Close() error {
	for _, s := range c.stmts {
		_ = s.Close()
	}
	c.stmts = nil
	return c.Conn.Close()
}

func (c *conn) Ping(ctx context.Context) error { return c.Conn.(driver.Pinger).Ping(ctx) }

func (c *conn) ResetSession(ctx context.Context) error {
	return c.Conn.(driver.SessionResetter).ResetSession(ctx)
}

func (c *conn) IsValid() bool { return c.Conn.(driver.Validator).IsValid() }

// tx moves the versions at commit when anything in it wrote.
type tx struct {
	driver.Tx
	c      *conn
	writes []string // the statements that wrote
}

func (t *tx) Commit() error {
	err := t.Tx.Commit()
	t.c.tx = nil
	if len(t.writes) > 0 {
		t.c.v.moved(t.writes)
	}
	return err
}

func (t *tx) Rollback() error {
	t.c.tx = nil
	return t.Tx.Rollback()
}

// rows notes, once closed, that the statement is free again (release) and whether it changed
// data (a RETURNING statement writes as its rows are read).
type rows struct {
	driver.Rows
	c           *conn
	query       string
	release     func() // nil for a caller's own prepared statement
	closed      bool
	nexts, read int // calls of Next, and rows it returned
}

func (r *rows) Next(dest []driver.Value) error {
	r.nexts++
	err := r.Rows.Next(dest)
	if err == nil {
		r.read++
	}
	return err
}

func (r *rows) Close() error {
	err := r.Rows.Close()
	if r.closed {
		return err
	}
	r.closed = true
	if r.release != nil {
		r.release()
	}
	// An INSERT, UPDATE or DELETE with RETURNING returns one row per row it changed, so one
	// that returned none (a job claim that found no due job) changed nothing — unless nobody
	// asked for its rows.
	if changed(r.query, func() bool { return r.read > 0 || r.nexts == 0 }) {
		r.c.wrote(r.query)
	}
	return err
}

// stmt is a statement prepared by a caller through database/sql.
type stmt struct {
	driver.Stmt
	c     *conn
	query string
}

func (s *stmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	res, err := s.Stmt.(driver.StmtExecContext).ExecContext(ctx, args)
	s.c.executed(s.query, res, err)
	return res, err
}

func (s *stmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	r, err := s.Stmt.(driver.StmtQueryContext).QueryContext(ctx, args)
	if err != nil {
		return nil, err
	}
	return &rows{Rows: r, c: s.c, query: s.query}, nil
}

// executed notes the write an executed statement made, if any: an INSERT, UPDATE or DELETE
// that matched no row made none; a failed one may have (the driver reports a context that
// ended just as a statement committed as a failure).
func (c *conn) executed(query string, res driver.Result, err error) {
	matched := func() bool {
		if err != nil {
			return true
		}
		n, err := res.RowsAffected()
		return err != nil || n > 0
	}
	if changed(query, matched) {
		c.wrote(query)
	}
}

// changed tells whether query changed data: a SELECT did not; an INSERT, UPDATE or DELETE did
// when matched says it touched a row; anything else is taken to have.
func changed(query string, matched func() bool) bool {
	switch verb(query) {
	case "SELECT":
		return false
	case "INSERT", "UPDATE", "DELETE", "REPLACE":
		return matched()
	}
	return true
}

// verb returns the first word of query in upper case, after any "--" comment lines.
func verb(query string) string {
	q := query
	for {
		q = strings.TrimLeft(q, " \t\r\n")
		if !strings.HasPrefix(q, "--") {
			break
		}
		_, q, _ = strings.Cut(q, "\n")
	}
	end := strings.IndexAny(q, " \t\r\n(")
	if end < 0 {
		end = len(q)
	}
	return strings.ToUpper(q[:end])
}

func (r *rows) ColumnTypeDatabaseTypeName(i int) string {
	if t, ok := r.Rows.(driver.RowsColumnTypeDatabaseTypeName); ok {
		return t.ColumnTypeDatabaseTypeName(i)
	}
	return ""
}
