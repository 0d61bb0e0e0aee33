package web

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/a-h/templ"

	"ladder/internal/broker"
)

// heartbeat is how often an idle event stream sends a comment, so proxies keep it open and a
// dead client is noticed.
const heartbeat = 15 * time.Second

// snapshot renders the current state as one event: its ID (the newest event ID the state
// includes) and the component to send. ok is false when nothing is newer than after.
type snapshot func(r *http.Request, after int64) (id int64, c templ.Component, ok bool, err error)

// stream serves server-sent events for topic: on connect, and whenever the broker announces a
// change, it sends the state newer than what the client has seen. A reconnecting client sends
// Last-Event-ID and gets only what it missed — as one fresh rendering, so its page ends
// identical to a fresh load.
func stream(b *broker.Broker, closing <-chan struct{}, topic func(*http.Request) string, name string, snap snapshot) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		after, _ := strconv.ParseInt(r.Header.Get("Last-Event-ID"), 10, 64)
		// Subscribe before the first snapshot, so a change committed in between still wakes
		// the stream; check that snapshot before committing to a stream, so a bad ID is a
		// plain 404.
		wake, unsubscribe := b.Subscribe(topic(r))
		defer unsubscribe()
		id, c, ok, err := snap(r, after)
		if err != nil {
			return err
		}
		rc := http.NewResponseController(w)
		_ = rc.SetWriteDeadline(time.Time{}) // a stream lives longer than the server's write timeout
		w.Header().Set("Content-Type", "text/event-stream")
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("X-Accel-Buffering", "no")
		w.WriteHeader(http.StatusOK)
		// Ask the browser to reconnect within a second after a cut, instead of its default
		// few seconds (and before the SSE extension's own growing back-off takes over).
		if _, err := fmt.Fprint(w, "retry: 1000\n\n"); err != nil {
			return nil
		}
		tick := time.NewTicker(heartbeat)
		defer tick.Stop()
		for {
			if ok {
				if err := writeEvent(w, r, name, id, c); err != nil {
					return nil // the client went away
				}
				after = id
			}
			if err := rc.Flush(); err != nil {
				return nil
			}
			select {
			case <-r.Context().Done():
				return nil
			case <-closing:
				return nil // shutting down; the browser reconnects to the next server
			case <-tick.C:
				ok = false
				if _, err := fmt.Fprint(w, ": keep-alive\n\n"); err != nil {
					return nil
				}
				continue
			case <-wake:
			}
			if id, c, ok, err = snap(r, after); err != nil {
				return nil // logged by nobody: the stream ends and the client reconnects
			}
		}
	}
}

// writeEvent sends c as one event; each line of the HTML becomes a data line.
func writeEvent(w http.ResponseWriter, r *http.Request, name string, id int64, c templ.Component) error {
	var buf bytes.Buffer
	if err := c.Render(r.Context(), &buf); err != nil {
		return err
	}
	var out strings.Builder
	fmt.Fprintf(&out, "id: %d\nevent: %s\n", id, name)
	for line := range strings.SplitSeq(buf.String(), "\n") {
		out.WriteString("data: ")
		out.WriteString(line)
		out.WriteByte('\n')
	}
	out.WriteByte('\n')
	_, err := w.Write([]byte(out.String()))
	return err
}
