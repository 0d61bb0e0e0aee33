package gitops

import (
	"context"
	"sync"
	"time"
)

// Watch is one application directory on a branch to watch for changes,
// with the last head seen (empty the first time).
type Watch struct {
	Key    string // the caller's identifier (e.g. the application ID)
	Remote Remote
	Branch string
	Path   string
	Since  string
}

// Change reports what a poll found for a watch: the branch head and the
// commits since Watch.Since that touch its path (none for a first baseline
// or for commits elsewhere in the repository).
type Change struct {
	Watch   Watch
	Head    string
	Commits []Commit
}

// Poller checks watched branches every Interval, and at once when Wake is
// called (by a webhook). It keeps no state: List returns the watches with
// their stored baselines, and Found is called for every watch whose head
// moved; the caller stores Change.Head as the new baseline when Found
// returns nil, so commits seen while Ladder was down are found after a
// restart.
type Poller struct {
	Interval time.Duration
	// Timeout bounds one poll of one watch (default 1 minute).
	Timeout time.Duration
	List    func(ctx context.Context) ([]Watch, error)
	Found   func(ctx context.Context, c Change) error
	// Changes lists new commits; Store.Changes in production.
	Changes func(ctx context.Context, r Remote, branch, path, since string) (string, []Commit, error)
	// Error receives errors of List, Changes and Found (the poll goes on). A watch whose
	// repository fails to be read with the same error poll after poll reports it once, until
	// the error changes or the repository is read again.
	Error func(err error)
	// Recovered, when set, is called for a watch read again after its reported error.
	Recovered func(w Watch)

	once   sync.Once
	wake   chan struct{}
	mu     sync.Mutex
	failed map[string]string // watch key → message of the error last reported
}

// NewPoller returns a Poller reading changes from store.
func NewPoller(store *Store, interval time.Duration, list func(context.Context) ([]Watch, error), found func(context.Context, Change) error) *Poller {
	return &Poller{Interval: interval, List: list, Found: found, Changes: store.Changes}
}

// Wake asks for a poll now; it never blocks.
func (p *Poller) Wake() {
	p.init()
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

func (p *Poller) init() {
	p.once.Do(func() { p.wake = make(chan struct{}, 1) })
}

// Run polls until ctx is cancelled, starting with one poll at once.
func (p *Poller) Run(ctx context.Context) error {
	p.init()
	interval := p.Interval
	if interval <= 0 {
		interval = time.Minute
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		p.Poll(ctx)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		case <-p.wake:
		}
	}
}

// Poll checks every watch once.
func (p *Poller) Poll(ctx context.Context) {
	watches, err := p.List(ctx)
	if err != nil {
		p.report(err)
		return
	}
	for _, w := range watches {
		if ctx.Err() != nil {
			return
		}
		p.check(ctx, w)
	}
}

// check polls one watch within the timeout.
func (p *Poller) check(ctx context.Context, w Watch) {
	timeout := p.Timeout
	if timeout <= 0 {
		timeout = time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	head, commits, err := p.Changes(ctx, w.Remote, w.Branch, w.Path, w.Since)
	if err != nil {
		p.reportOnce(w, err)
		return
	}
	p.readAgain(w)
	if head == w.Since {
		return
	}
	if err := p.Found(ctx, Change{Watch: w, Head: head, Commits: commits}); err != nil {
		p.report(err)
	}
}

// reportOnce reports err for w unless the same error was the last one reported for it.
func (p *Poller) reportOnce(w Watch, err error) {
	p.mu.Lock()
	same := p.failed[w.Key] == err.Error()
	if !same {
		if p.failed == nil {
			p.failed = map[string]string{}
		}
		p.failed[w.Key] = err.Error()
	}
	p.mu.Unlock()
	if !same {
		p.report(err)
	}
}

// readAgain forgets w's reported error, if any, and says so.
func (p *Poller) readAgain(w Watch) {
	p.mu.Lock()
	_, had := p.failed[w.Key]
	delete(p.failed, w.Key)
	p.mu.Unlock()
	if had && p.Recovered != nil {
		p.Recovered(w)
	}
}

func (p *Poller) report(err error) {
	if p.Error != nil {
		p.Error(err)
	}
}
