package db

import (
	"sync"
	"time"
)

// memoFor bounds how long a Memo keeps an answer although its version did not move: writes by
// another process (the command-line tools) do not move it.
const memoFor = 5 * time.Second

// memoMax bounds the keys a Memo keeps; when full, it forgets them all at once.
const memoMax = 16384

// Memo keeps what a read returned, by key, while a version (VersionOf the tables it reads)
// does not move, and for at most memoFor: for what requests read again and again from tables
// that rarely change — the signed-in user, a session, the names in a page's filters. A
// failed read is not kept. What Get returns is shared by every caller: none may change it.
//
// When an answer ages past memoFor with its version unchanged, one caller reads it again and
// the others are answered with it meanwhile: every request of a busy browser (or of many
// browsers sharing a session) would otherwise read the same row at once.
type Memo[K comparable, V any] struct {
	version func() uint64
	now     func() time.Time
	mu      sync.Mutex
	kept    map[K]memoEntry[V]
}

type memoEntry[V any] struct {
	version uint64
	at      time.Time
	v       V
	reading bool // a caller reads it again, past memoFor
}

// NewMemo returns an empty Memo whose answers hold while version does not move, with now
// telling the time.
func NewMemo[K comparable, V any](version func() uint64, now func() time.Time) *Memo[K, V] {
	return &Memo[K, V]{version: version, now: now, kept: map[K]memoEntry[V]{}}
}

// Get returns what read returned for key, reading again when the version moved since.
func (m *Memo[K, V]) Get(key K, read func() (V, error)) (V, error) {
	version, now := m.version(), m.now() // the version first: a write during read makes the answer stale
	m.mu.Lock()
	e, ok := m.kept[key]
	refresh := ok && e.version == version
	if refresh {
		if now.Sub(e.at) < memoFor || e.reading {
			m.mu.Unlock()
			return e.v, nil
		}
		e.reading = true
		m.kept[key] = e
	}
	m.mu.Unlock()
	v, err := read()
	m.mu.Lock()
	defer m.mu.Unlock()
	if err != nil {
		if e, ok := m.kept[key]; refresh && ok && e.reading {
			e.reading = false // the next caller tries again
			m.kept[key] = e
		}
		return v, err
	}
	if len(m.kept) >= memoMax {
		clear(m.kept)
	}
	m.kept[key] = memoEntry[V]{version: version, at: now, v: v}
	return v, nil
}
