package web

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
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

// writeTimeout is how long one write to an event stream may take before the viewer counts
// as gone.
const writeTimeout = 10 * time.Second

// stream serves server-sent events for topic: on connect, and whenever the broker announces a
// change, it sends the state if it is newer than what the client has seen. A reconnecting
// client sends Last-Event-ID and gets only what it missed — as one fresh rendering, so its page
// ends identical to a fresh load.
//
// A stream holds its connection for as long as the page is open, which for 10,000 viewers is
// 10,000 connections; net/http's machinery for a request (a second goroutine reading ahead,
// 10 KB of buffers) is sized for short ones. So once the first snapshot is known, stream takes
// the connection over from net/http and serves it from one goroutine with no buffer of its
// own: it writes the response head and each event with a single write, and notices a viewer
// that left when a write fails (a heartbeat is written every 15 s). (Taking a connection over
// needs HTTP/1; Ladder serves HTTP/1.1, with TLS left to the proxy in front.)
func stream(log *slog.Logger, b *broker.Broker, closing <-chan struct{}, topic func(*http.Request) string, snap snapshot) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		// A first connection gets the current snapshot whatever its ID (the page may have been
		// rendered before something the stream's IDs do not count, such as Argo CD's answer).
		after := int64(-1)
		if id := r.Header.Get("Last-Event-ID"); id != "" {
			after, _ = strconv.ParseInt(id, 10, 64)
		}
		// Subscribe before the first snapshot, so a change committed in between still wakes
		// the stream; check that snapshot before committing to a stream, so a bad ID is a
		// plain 404.
		wake, unsubscribe := b.Subscribe(topic(r))
		out, err := snap(r)
		if err != nil {
			unsubscribe()
			return err
		}
		h := w.Header()
		h.Set("Content-Type", "text/event-stream")
		h.Set("Cache-Control", "no-store")
		h.Set("X-Accel-Buffering", "no")
		h.Set("Connection", "close") // the body ends when the connection does
		if r.Method == http.MethodHead {
			unsubscribe()
			w.WriteHeader(http.StatusOK)
			return nil
		}
		var head bytes.Buffer
		head.WriteString("HTTP/1.1 200 OK\r\n")
		_ = h.Write(&head)
		// Ask the browser to reconnect within a second after a cut, instead of its default
		// few seconds (and before the SSE extension's own growing back-off takes over).
		head.WriteString("\r\nretry: 1000\n\n")
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			unsubscribe()
			return fmt.Errorf("take over the event stream's connection: %w", err)
		}
		// The request's context ends when this handler returns; the stream's reads go on.
		r = r.WithContext(context.WithoutCancel(r.Context()))
		go func() {
			defer unsubscribe()
			defer conn.Close()
			defer func() {
				// net/http's recovery no longer covers this goroutine: a panic would end the
				// whole server. Ending the stream is enough; the browser reconnects.
				if v := recover(); v != nil {
					log.Error("event stream panicked", "path", r.URL.Path, "panic", v, "stack", string(debug.Stack()))
				}
			}()
			send(conn, head.Bytes(), closing, wake, func() (rendering, error) { return snap(r) }, out, after)
		}()
		return nil
	}
}

// send writes head, then out and every newer snapshot after each wake-up (one with a newer ID,
// or a new mark), until a write fails, a snapshot fails (the client reconnects and gets a
// fresh one) or the server closes.
func send(conn net.Conn, head []byte, closing <-chan struct{}, wake <-chan struct{}, snap func() (rendering, error), out rendering, after int64) {
	write := func(b []byte) bool {
		_ = conn.SetWriteDeadline(time.Now().Add(writeTimeout))
		_, err := conn.Write(b)
		return err == nil
	}
	if !write(head) {
		return
	}
	tick := time.NewTicker(heartbeat)
	defer tick.Stop()
	mark := ""
	for {
		if out.id > after || out.mark != mark {
			if !write(out.body) {
				return
			}
			after, mark = max(after, out.id), out.mark
		}
		select {
		case <-closing:
			return // shutting down; the browser reconnects to the next server
		case <-tick.C:
			if !write([]byte(": keep-alive\n\n")) {
				return
			}
			continue
		case <-wake:
		}
		var err error
		if out, err = snap(); err != nil {
			return
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
