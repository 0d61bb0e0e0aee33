package gitops

import (
	"errors"
	"sync"
)

// health remembers, per repository URL, whether the last fetch failed and why (or the last
// push, for a promotion that made no fetch: promoteAsLeft).
type health struct {
	mu     sync.Mutex
	failed map[string]error
}

// record notes the outcome of a fetch of url, or of a push made without one. A cancelled
// exchange says nothing about the repository and is not recorded.
func (h *health) record(url string, err error) {
	var ge *Error
	if err != nil && !errors.As(err, &ge) {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if err == nil {
		delete(h.failed, url)
		return
	}
	if h.failed == nil {
		h.failed = map[string]error{}
	}
	h.failed[url] = err
}

// Unreadable counts the repositories whose last exchange (as health records it) failed
// (unreachable, refused credential, missing repository or host key): the
// ladder_git_unreadable_repositories metric.
func (s *Store) Unreadable() int {
	s.health.mu.Lock()
	defer s.health.mu.Unlock()
	return len(s.health.failed)
}

// LastError returns why the last exchange with the repository at url (as health records
// it) failed, or nil when it did not (or there was none yet).
func (s *Store) LastError(url string) error {
	s.health.mu.Lock()
	defer s.health.mu.Unlock()
	return s.health.failed[url]
}
