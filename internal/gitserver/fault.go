package gitserver

import (
	"context"
	"fmt"
	"sync"
)

// Op selects the requests a fault applies to.
type Op int

const (
	// AnyRequest matches every request.
	AnyRequest Op = iota
	// Advertise is the reference advertisement (GET info/refs) that starts a fetch or a push.
	Advertise
	// UploadPack is the POST that carries a fetch's negotiation and pack.
	UploadPack
	// ReceivePack is the POST that carries a push's pack and reference updates.
	ReceivePack
	// Other is any other request (dumb-HTTP paths, unknown URLs).
	Other
)

func (o Op) matches(req Op) bool { return o == AnyRequest || o == req }

// Hold keeps matching requests waiting, unanswered, until Release (see HTTP.Hang).
type Hold struct {
	op       Op
	reached  chan struct{}
	released chan struct{}
	once     sync.Once
	seen     sync.Once
}

// Reached is closed when the first request has been held.
func (h *Hold) Reached() <-chan struct{} { return h.reached }

// Release lets every held request (and later ones) go on as if nothing had happened.
func (h *Hold) Release() { h.once.Do(func() { close(h.released) }) }

// faults are the switches of an HTTP server.
type faults struct {
	mu     sync.Mutex
	holds  []*Hold
	fails  []failure
	drops  []Op
	before []func(dir string) error
	pushed []string
}

type failure struct {
	op     Op
	status int
	left   int
}

// Hang makes the server accept matching requests and never answer them until the returned
// Hold is released (or the client goes away). Hang(ReceivePack) holds a push after its pack
// was sent and before git has seen it.
func (s *HTTP) Hang(op Op) *Hold {
	h := &Hold{op: op, reached: make(chan struct{}), released: make(chan struct{})}
	s.faults.mu.Lock()
	s.faults.holds = append(s.faults.holds, h)
	s.faults.mu.Unlock()
	return h
}

// FailWith answers the next n matching requests with status (for example 503) without
// running git.
func (s *HTTP) FailWith(op Op, status, n int) {
	s.faults.mu.Lock()
	s.faults.fails = append(s.faults.fails, failure{op: op, status: status, left: n})
	s.faults.mu.Unlock()
}

// DropReply makes the next matching request run in full (a push is applied) and then closes
// the connection without answering: the client sees the connection end (EOF).
func (s *HTTP) DropReply(op Op) {
	s.faults.mu.Lock()
	s.faults.drops = append(s.faults.drops, op)
	s.faults.mu.Unlock()
}

// OnReceivePack runs fn with the repository's directory once, just before git receives the
// next push — after the client read the references it pushes against.
func (s *HTTP) OnReceivePack(fn func(dir string) error) {
	s.faults.mu.Lock()
	s.faults.before = append(s.faults.before, fn)
	s.faults.mu.Unlock()
}

// CompetingPush commits files on branch, as another user would, just before the next push
// reaches git, so that push finds the branch moved. Competing returns the commits made.
func (s *HTTP) CompetingPush(branch, message string, files map[string]string) {
	s.OnReceivePack(func(dir string) error {
		sha, err := Commit(dir, branch, message, files)
		if err != nil {
			return fmt.Errorf("%w: %v", errNoCommit, err)
		}
		s.faults.mu.Lock()
		s.faults.pushed = append(s.faults.pushed, sha)
		s.faults.mu.Unlock()
		return nil
	})
}

// Competing returns the SHAs of the competing commits made so far.
func (s *HTTP) Competing() []string {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	return append([]string(nil), s.faults.pushed...)
}

// Heal clears every fault and releases every held request.
func (s *HTTP) Heal() {
	s.faults.mu.Lock()
	holds := s.faults.holds
	s.faults.holds, s.faults.fails, s.faults.drops, s.faults.before = nil, nil, nil, nil
	s.faults.mu.Unlock()
	for _, h := range holds {
		h.Release()
	}
}

// failure returns the status to fail a request with, or 0.
func (f *faults) failure(op Op) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := range f.fails {
		if fl := &f.fails[i]; fl.left > 0 && fl.op.matches(op) {
			fl.left--
			return fl.status
		}
	}
	return 0
}

// wait holds the request while a matching Hold is active; false when the client went away.
func (f *faults) wait(ctx context.Context, op Op) bool {
	f.mu.Lock()
	var holds []*Hold
	for _, h := range f.holds {
		if h.op.matches(op) {
			holds = append(holds, h)
		}
	}
	f.mu.Unlock()
	for _, h := range holds {
		h.seen.Do(func() { close(h.reached) })
		select {
		case <-h.released:
		case <-ctx.Done():
			return false
		}
	}
	return true
}

// drop reports (once per DropReply) whether to drop this request's reply.
func (f *faults) drop(op Op) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, d := range f.drops {
		if d.matches(op) {
			f.drops = append(f.drops[:i], f.drops[i+1:]...)
			return true
		}
	}
	return false
}

// beforeReceivePack runs the first pending OnReceivePack function.
func (f *faults) beforeReceivePack(dir string) error {
	f.mu.Lock()
	if len(f.before) == 0 {
		f.mu.Unlock()
		return nil
	}
	fn := f.before[0]
	f.before = f.before[1:]
	f.mu.Unlock()
	return fn(dir)
}
