package runner

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"unicode/utf8"

	"ladder/internal/release"
)

// maxLog is how much of a step's output is kept: the last 64 KiB.
const maxLog = 64 << 10

// stepLog collects a step's output while it runs, keeping only the newest maxLog bytes. It is
// safe for the step's process and the flusher that streams it to the page at the same time.
type stepLog struct {
	mu     sync.Mutex
	buf    []byte
	dirty  bool
	hidden []string // workflow secret values given to the step: masked in its output
}

// masked is what a log shows instead of a workflow secret's value.
const masked = "***"

func newStepLog(prev string) *stepLog { return &stepLog{buf: []byte(prev)} }

// Write appends p, dropping the oldest output beyond maxLog.
func (l *stepLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf = append(l.buf, p...)
	l.buf = l.mask(l.buf)
	if over := len(l.buf) - maxLog; over > 0 {
		for over < len(l.buf) && !utf8.RuneStart(l.buf[over]) {
			over++ // cut at a character boundary
		}
		l.buf = append(l.buf[:0], l.buf[over:]...)
	}
	l.dirty = true
	return len(p), nil
}

// hide masks v in everything the step logs, from now on and already logged.
func (l *stepLog) hide(v string) {
	if v == "" {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.hidden = append(l.hidden, v)
	l.buf = l.mask(l.buf)
}

// mask replaces each hidden value in b; the caller holds mu.
func (l *stepLog) mask(b []byte) []byte {
	for _, v := range l.hidden {
		b = bytes.ReplaceAll(b, []byte(v), []byte(masked))
	}
	return b
}

// masking returns text with the hidden values masked, for a step's error.
func (l *stepLog) masking(text string) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return string(l.mask([]byte(text)))
}

// Printf writes one line.
func (l *stepLog) Printf(format string, args ...any) {
	_, _ = fmt.Fprintf(l, format+"\n", args...)
}

// take returns the log and whether it changed since the last take.
func (l *stepLog) take() (string, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	changed := l.dirty
	l.dirty = false
	return string(l.buf), changed
}

func logSubject(c *stepCall) string { return fmt.Sprintf("step-run-%d", c.row.ID) }

// storeLog writes the step's log inside tx and drops the event that announced its growth.
func (r *Runner) storeLog(tx *release.Tx, c *stepCall) error {
	text, _ := c.log.take()
	return tx.SetStepLog(c.row.ID, text, logSubject(c), "")
}

// flushLog streams a running step's new output: it stores the log and replaces the one
// "log" event of the step, so live pages re-render without the history filling with batches.
func (r *Runner) flushLog(ctx context.Context, c *stepCall) error {
	text, changed := c.log.take()
	if !changed {
		return nil
	}
	return r.releases.Change(ctx, c.sc.rel.ID, func(tx *release.Tx) error {
		return tx.SetStepLog(c.row.ID, text, logSubject(c), c.sc.label()+": step "+c.step.Name+" wrote output")
	})
}
