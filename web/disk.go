package web

import (
	"context"
	"net/http"
	"sync"
	"time"
)

// diskKey marks a request served while the disk of the data directory is (nearly) full.
type diskKey struct{}

// diskWatch asks how much space is left at most once every diskRecheck, for every page's
// banner; reading the disk's statistics on every request would cost a system call each.
type diskWatch struct {
	free func() (uint64, error)
	now  func() time.Time

	mu      sync.Mutex
	checked time.Time
	full    bool
}

const diskRecheck = 5 * time.Second

// Full reports whether less than minDiskFree is left (false when the space is not known).
func (d *diskWatch) Full() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if now := d.now(); now.Sub(d.checked) >= diskRecheck {
		free, err := d.free()
		d.full, d.checked = err == nil && free < minDiskFree, now
	}
	return d.full
}

// markDiskFull tells every page when the disk is full, so the layout says so: a release's
// progress can no longer be recorded, and what a page shows (a blocker's "next try in 20 s")
// may be out of date.
func markDiskFull(free func() (uint64, error), now func() time.Time, next http.Handler) http.Handler {
	if free == nil {
		return next
	}
	if now == nil {
		now = time.Now
	}
	d := &diskWatch{free: free, now: now}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if d.Full() {
			r = r.WithContext(context.WithValue(r.Context(), diskKey{}, true))
		}
		next.ServeHTTP(w, r)
	})
}

// diskFull reports whether the request was served while the disk was full.
func diskFull(r *http.Request) bool {
	full, _ := r.Context().Value(diskKey{}).(bool)
	return full
}
