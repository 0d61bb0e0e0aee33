package web

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/a-h/templ"

	"ladder/internal/broker"
)

// heartbeat is how often an idle event stream sends a comment, so proxies keep it open and a
// dead client is noticed.
const heartbeat = 15 * time.Second

// snapshot renders the current state as one event, ready to send: the newest event ID the
// state includes, and the bytes.
type snapshot func(r *http.Request) (rendering, error)

// stream serves server-sent events for topic: on connect, and whenever the broker announces a
// change, it sends the state if it is newer than what the client has seen. A reconnecting
// client sends Last-Event-ID and gets only what it missed — as one fresh rendering, so its page
// ends identical to a fresh load.
func stream(b *broker.Broker, closing <-chan struct{}, topic func(*http.Request) string, snap snapshot) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		after, _ := strconv.ParseInt(r.Header.Get("Last-Event-ID"), 10, 64)
		// Subscribe before the first snapshot, so a change committed in between still wakes
		// the stream; check that snapshot before committing to a stream, so a bad ID is a
		// plain 404.
		wake, unsubscribe := b.Subscribe(topic(r))
		defer unsubscribe()
		out, err := snap(r)
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
		if _, err := io.WriteString(w, "retry: 1000\n\n"); err != nil {
			return nil
		}
		tick := time.NewTicker(heartbeat)
		defer tick.Stop()
		for {
			if out.id > after {
				if _, err := w.Write(out.body); err != nil {
					return nil // the client went away
				}
				after = out.id
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
				out = rendering{}
				if _, err := io.WriteString(w, ": keep-alive\n\n"); err != nil {
					return nil
				}
				continue
			case <-wake:
			}
			if out, err = snap(r); err != nil {
				return nil // logged by nobody: the stream ends and the client reconnects
			}
		}
	}
}

// event renders c as one event named name with the given ID; each line of the HTML becomes a
// data line.
func event(r *http.Request, name string, id int64, c templ.Component) (rendering, error) {
	var html bytes.Buffer
	if err := c.Render(r.Context(), &html); err != nil {
		return rendering{}, err
	}
	var out bytes.Buffer
	out.Grow(html.Len() + html.Len()/8 + 64)
	fmt.Fprintf(&out, "id: %d\nevent: %s\n", id, name)
	for line := range bytes.SplitSeq(html.Bytes(), []byte("\n")) {
		out.WriteString("data: ")
		out.Write(line)
		out.WriteByte('\n')
	}
	out.WriteByte('\n')
	return rendering{id: id, body: out.Bytes()}, nil
}
