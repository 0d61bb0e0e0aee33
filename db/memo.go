package db

import (
	"sync"
	"time"
)

// memoFor bounds how long a Memo keeps an answer although its version did not move: writes by
// another process (the command-line tools) do not move it.
const memoFor = 5 * time.Second

// memoMax bounds the keys a Memo keeps; when full, it forgets them all at once.
const memoMax = 1024

// Memo keeps what a read returned, by key, while a version (VersionOf the tables it reads)
// does not move, and for at most memoFor: for what a page reads at every rendering from
// tables that rarely change, such as the names in its filters. What Get returns is shared by
// every caller: none may change it.
type Memo[T any] struct {
	version func() uint64
	mu      sync.Mutex
	kept    map[string]memoEntry[T]
}

type memoEntry[T any] struct {
	version uint64
	at      time.Time
	v       T
}

// NewMemo returns an empty Memo whose answers hold while version does not move.
func NewMemo[T any](version func() uint64) *Memo[T] {
	return &Memo[T]{version: version, kept: map[string]memoEntry[T]{}}
}

// Get returns what read returned for key, reading again when the version moved since.
func (m *Memo[T]) Get(key string, read func() (T, error)) (T, error) {
	version, now := m.version(), time.Now() // the version first: a write during read makes the answer stale
	m.mu.Lock()
	e, ok := m.kept[key]
	m.mu.Unlock()
	if ok && e.version == version && now.Sub(e.at) < memoFor {
		return e.v, nil
	}
	v, err := read()
	if err != nil {
		return v, err
	}
	m.mu.Lock()
	if len(m.kept) >= memoMax {
		clear(m.kept)
	}
	m.kept[key] = memoEntry[T]{version: version, at: now, v: v}
	m.mu.Unlock()
	return v, nil
}
