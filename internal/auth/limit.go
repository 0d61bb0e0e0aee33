package auth

import (
	"sync"
	"time"
)

// Limiter allows at most max attempts per key within a sliding window; Ladder keys password
// attempts by client address and user name.
type Limiter struct {
	mu     sync.Mutex
	max    int
	window time.Duration
	now    func() time.Time
	hits   map[string][]time.Time
}

// NewLimiter returns a Limiter of max attempts per window.
func NewLimiter(max int, window time.Duration, now func() time.Time) *Limiter {
	return &Limiter{max: max, window: window, now: now, hits: map[string][]time.Time{}}
}

// Allow records an attempt for key and reports whether it may go ahead; when it may not, it
// also says how long until the next attempt is allowed.
func (l *Limiter) Allow(key string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if len(l.hits) > 10_000 {
		l.sweep(now)
	}
	recent := l.recent(key, now)
	if len(recent) >= l.max {
		l.hits[key] = recent
		return false, recent[0].Add(l.window).Sub(now)
	}
	l.hits[key] = append(recent, now)
	return true, 0
}

// Reset forgets key's attempts, after a successful sign-in.
func (l *Limiter) Reset(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.hits, key)
}

func (l *Limiter) recent(key string, now time.Time) []time.Time {
	hits := l.hits[key]
	i := 0
	for i < len(hits) && now.Sub(hits[i]) >= l.window {
		i++
	}
	return hits[i:]
}

func (l *Limiter) sweep(now time.Time) {
	for key := range l.hits {
		if len(l.recent(key, now)) == 0 {
			delete(l.hits, key)
		}
	}
}
