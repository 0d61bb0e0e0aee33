package web_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestEventStreamOverHTTP reads a release's event stream as any HTTP client would: the
// response head carries the usual security headers, the first event is the current state,
// a change arrives as a newer event, an unknown release is a plain 404, and HEAD gets the
// head alone.
func TestEventStreamOverHTTP(t *testing.T) {
	fx := newAPIFixture(t)
	rel := fx.frozenRelease(t, "sse")

	open := func(method, path string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest(method, fx.srv.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+fx.tokens["viewer"])
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { resp.Body.Close() })
		return resp
	}
	if resp := open("GET", "/releases/01aaaaaaaaaaaaaaaaaa/events"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown release: got %d, want 404", resp.StatusCode)
	}
	if head := rawHead(t, fx, "/releases/"+rel.ID+"/events"); !strings.HasPrefix(head, "HTTP/1.1 200 OK\r\n") ||
		!strings.Contains(head, "Content-Type: text/event-stream\r\n") || !strings.HasSuffix(head, "\r\n\r\n") {
		t.Errorf("HEAD: got %q, want 200 with the stream's headers and nothing after them", head)
	}

	resp := open("GET", "/releases/"+rel.ID+"/events")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/event-stream" ||
		resp.Header.Get("X-Content-Type-Options") != "nosniff" || resp.Header.Get("Content-Security-Policy") == "" {
		t.Fatalf("got %d with %v; want 200, text/event-stream and the security headers", resp.StatusCode, resp.Header)
	}
	type event struct {
		id   int64
		data string
	}
	events := make(chan event, 8)
	go func() {
		defer close(events)
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(nil, 1<<20)
		var e event
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "id: "):
				e.id, _ = strconv.ParseInt(line[4:], 10, 64)
			case strings.HasPrefix(line, "data: "):
				e.data += line[6:] + "\n"
			case line == "" && e.data != "":
				events <- e
				e = event{}
			}
		}
	}()
	next := func(what string) event {
		t.Helper()
		select {
		case e, ok := <-events:
			if !ok {
				t.Fatalf("%s: the stream ended", what)
			}
			return e
		case <-time.After(10 * time.Second):
			t.Fatalf("%s: no event within 10 s", what)
		}
		return event{}
	}
	first := next("first event")
	if first.id == 0 || !strings.Contains(first.data, "environment frozen: tests") {
		t.Fatalf("first event %d does not show the frozen environment:\n%s", first.id, first.data)
	}
	fx.must(t, "POST", "/api/v1/releases/"+rel.ID+"/terminate", "", 200)
	for {
		e := next("after terminating")
		if e.id <= first.id {
			t.Fatalf("event %d after event %d", e.id, first.id)
		}
		if strings.Contains(e.data, `data-st="terminated"`) {
			return
		}
	}
}

// rawHead sends HEAD for path on its own connection and returns all the server sent before it
// closed the connection (or stopped sending for a second).
func rawHead(t *testing.T, fx *apiFixture, path string) string {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(fx.srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "HEAD %s HTTP/1.1\r\nHost: ladder\r\nAuthorization: Bearer %s\r\nConnection: close\r\n\r\n", path, fx.tokens["viewer"])
	_ = conn.SetReadDeadline(time.Now().Add(time.Second))
	b, _ := io.ReadAll(conn)
	return string(b)
}
