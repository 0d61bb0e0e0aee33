package runner

import (
	"context"
	"sync"
)

// inflight holds the cancel functions of the jobs that run now, by release, so that
// terminating a release stops at once what it runs in this process: a push in flight is cut
// off rather than landing after the release ended. Jobs in other processes notice through
// their guard, which reads the release's status.
type inflight struct {
	mu   sync.Mutex
	next int
	jobs map[string]map[int]context.CancelFunc
}

// track returns a context for a job of release id that cancelRelease cancels, and the function
// to call when the job ends.
func (f *inflight) track(parent context.Context, id string) (context.Context, func()) {
	ctx, cancel := context.WithCancel(parent)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.jobs == nil {
		f.jobs = map[string]map[int]context.CancelFunc{}
	}
	if f.jobs[id] == nil {
		f.jobs[id] = map[int]context.CancelFunc{}
	}
	f.next++
	key := f.next
	f.jobs[id][key] = cancel
	return ctx, func() {
		f.mu.Lock()
		delete(f.jobs[id], key)
		if len(f.jobs[id]) == 0 {
			delete(f.jobs, id)
		}
		f.mu.Unlock()
		cancel()
	}
}

// cancel cancels every job of release id running in this process.
func (f *inflight) cancel(id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range f.jobs[id] {
		c()
	}
}

// cancelRelease stops the application jobs of release id that run in this process.
func (r *Runner) cancelRelease(id string) { r.running.cancel(id) }
