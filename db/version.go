package db

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
)

// Version returns a function reading conn's write version: a number that rises after every
// write committed through conn. Read it before reading data: whatever was built from data
// read under one version is current for as long as the function still returns it. Writes by
// other processes (the command-line tools) do not move it. For a database not opened with
// Open the number changes at every call, so nothing built on it is ever taken as current.
func Version(conn *sql.DB) func() uint64 {
	if d, ok := conn.Driver().(versionedDriver); ok {
		return d.v.all.Load
	}
	var calls atomic.Uint64
	return func() uint64 { return calls.Add(1) }
}

// VersionOf is Version for what is read from tables only: its number rises after every
// committed write that may have changed one of their rows — a write to one of them, to a
// table whose foreign keys cascade into them or whose triggers write them, and any write whose
// table the statement does not name plainly. A cache of users stays current while releases
// are written many times a second. A name that is not a table of the schema gets Version.
func VersionOf(conn *sql.DB, tables ...string) func() uint64 {
	d, ok := conn.Driver().(versionedDriver)
	if !ok {
		return Version(conn)
	}
	r := d.v.reach.Load()
	if r == nil {
		return Version(conn)
	}
	var counters []*atomic.Uint64
	for _, t := range tables {
		c := r.tables[strings.ToLower(t)]
		if c == nil {
			return Version(conn)
		}
		counters = append(counters, c)
	}
	return func() uint64 {
		n := d.v.unsure.Load()
		for _, c := range counters {
			n += c.Load() // each only rises, so the sum rises when any does
		}
		return n
	}
}

// versions are one database's write versions.
type versions struct {
	all atomic.Uint64 // rises after every write
	// unsure rises after a write whose tables are not known (a schema change, a statement
	// that names its table in a way tablesWritten does not read): it counts in every
	// table's version.
	unsure atomic.Uint64
	reach  atomic.Pointer[reach] // nil until the schema was read (during migrations)
	// named holds what tablesWritten found in each write statement seen, up to namedMax
	// of them: the queries are a fixed set, but for the lists sqlc.slice spells out.
	named  sync.Map // query → []string
	nNamed atomic.Int64
}

// namedMax bounds the statements versions remembers the tables of.
const namedMax = 4096

// reach is what the schema says a write to a table may change.
type reach struct {
	tables map[string]*atomic.Uint64 // each table's own counter
	// from holds, for each table, the counters a write to it moves: its own, those of
	// the tables its foreign keys cascade into and its triggers write, transitively. A
	// table missing here reaches something that is not a table (a view): unsure.
	from map[string][]*atomic.Uint64
}

// moved notes committed writes: the statements that made them.
func (v *versions) moved(queries []string) {
	r := v.reach.Load()
	for _, q := range queries {
		counters, sure := v.counters(r, q)
		if !sure {
			v.unsure.Add(1)
			continue
		}
		for _, c := range counters {
			c.Add(1)
		}
	}
	v.all.Add(1)
}

// counters returns the table counters a write by query moves; false when they are not known.
func (v *versions) counters(r *reach, query string) ([]*atomic.Uint64, bool) {
	if r == nil {
		return nil, false
	}
	var tables []string
	if t, ok := v.named.Load(query); ok {
		tables = t.([]string)
	} else {
		tables = tablesWritten(query)
		if v.nNamed.Add(1) <= namedMax {
			v.named.Store(query, tables)
		}
	}
	if len(tables) == 0 {
		return nil, false
	}
	var out []*atomic.Uint64
	for _, t := range tables {
		cs, ok := r.from[t]
		if !ok {
			return nil, false
		}
		out = append(out, cs...)
	}
	return out, true
}

// writeTarget finds the table an INSERT, REPLACE, UPDATE or DELETE writes, quoted or not,
// with or without its schema.
var writeTarget = regexp.MustCompile(`(?i)\b(?:insert(?:\s+or\s+\w+)?\s+into|replace\s+into|update(?:\s+or\s+\w+)?|delete\s+from)\s+` +
	"(?:(?:\\w+|\"[^\"]+\")\\s*\\.\\s*)?(\\w+|\"[^\"]+\"|`[^`]+`|\\[[^\\]]+\\])")

// tablesWritten returns the tables the writes in sql name, in lower case. It may name too
// many (a word in a string literal), which costs only a cache entry rebuilt; none means the
// caller cannot tell.
func tablesWritten(sql string) []string {
	var out []string
	for _, m := range writeTarget.FindAllStringSubmatch(sql, -1) {
		name := m[1]
		if strings.EqualFold(name, "set") { // an upsert's DO UPDATE SET
			continue
		}
		out = append(out, strings.ToLower(strings.Trim(name, "\"`[]")))
	}
	return out
}

// learn reads from the schema what a write to each table may change, for VersionOf.
func (v *versions) learn(ctx context.Context, conn *sql.DB) error {
	var tables []string
	if err := collect(ctx, conn, &tables, "SELECT lower(name) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"); err != nil {
		return err
	}
	into := map[string][]string{} // table → the tables a write to it changes directly
	for _, t := range tables {
		into[t] = append(into[t], t)
		var parents []string
		// A child's rows change when its parent's do only through an action other than
		// NO ACTION or RESTRICT (CASCADE, SET NULL, SET DEFAULT).
		if err := collect(ctx, conn, &parents, `SELECT DISTINCT lower("table") FROM pragma_foreign_key_list(?)
			WHERE on_delete NOT IN ('NO ACTION', 'RESTRICT') OR on_update NOT IN ('NO ACTION', 'RESTRICT')`, t); err != nil {
			return err
		}
		for _, p := range parents {
			into[p] = append(into[p], t)
		}
	}
	rows, err := conn.QueryContext(ctx, "SELECT lower(tbl_name), sql FROM sqlite_master WHERE type = 'trigger'")
	if err != nil {
		return fmt.Errorf("read triggers: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var on, body string
		if err := rows.Scan(&on, &body); err != nil {
			return fmt.Errorf("read triggers: %w", err)
		}
		// The statements after BEGIN: before it, "AFTER UPDATE OF status ON t" names
		// what fires the trigger, not what it writes.
		if i := strings.Index(strings.ToUpper(body), "BEGIN"); i >= 0 {
			body = body[i:]
		}
		into[on] = append(into[on], tablesWritten(body)...)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read triggers: %w", err)
	}
	r := &reach{tables: map[string]*atomic.Uint64{}, from: map[string][]*atomic.Uint64{}}
	for _, t := range tables {
		r.tables[t] = new(atomic.Uint64)
	}
tables:
	for _, t := range tables {
		var moves []*atomic.Uint64
		seen := map[string]bool{t: true}
		next := []string{t}
		for len(next) > 0 {
			at := next[len(next)-1]
			next = next[:len(next)-1]
			c := r.tables[at]
			if c == nil {
				continue tables // reaches something not a table: unsure
			}
			moves = append(moves, c)
			for _, n := range into[at] {
				if !seen[n] {
					seen[n] = true
					next = append(next, n)
				}
			}
		}
		r.from[t] = moves
	}
	v.reach.Store(r)
	return nil
}

// collect appends the single text column query returns to out.
func collect(ctx context.Context, conn *sql.DB, out *[]string, query string, args ...any) error {
	rows, err := conn.QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("read schema: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return fmt.Errorf("read schema: %w", err)
		}
		*out = append(*out, s)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read schema: %w", err)
	}
	return nil
}
