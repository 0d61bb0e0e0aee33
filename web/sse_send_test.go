package web

import (
	"bufio"
	"net"
	"testing"
	"time"
)

// TestStreamSendsWhatTheDatabaseDoesNotCount: a first connection gets the current snapshot
// even when no release event exists yet (ID 0), and a wake-up that changes only the mark (an
// answer from Argo CD, a version read from Git) is sent though no event is newer; a wake-up
// that changes nothing sends nothing.
func TestStreamSendsWhatTheDatabaseDoesNotCount(t *testing.T) {
	server, client := net.Pipe()
	t.Cleanup(func() { client.Close() })
	wake, closing := make(chan struct{}), make(chan struct{})
	snaps := make(chan rendering, 4)
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer server.Close()
		send(server, []byte("head\n"), closing, wake, func() (rendering, error) { return <-snaps, nil },
			rendering{id: 0, body: []byte("reading\n"), mark: "0.0"}, -1)
	}()
	read := bufio.NewReader(client)
	line := func() string {
		t.Helper()
		_ = client.SetReadDeadline(time.Now().Add(5 * time.Second))
		s, err := read.ReadString('\n')
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		return s
	}
	if got := line() + line(); got != "head\nreading\n" {
		t.Fatalf("first connection: got %q, want the head and the snapshot", got)
	}
	snaps <- rendering{id: 0, body: []byte("synced\n"), mark: "0.1"}
	wake <- struct{}{}
	if got := line(); got != "synced\n" {
		t.Fatalf("after Argo CD answered: got %q, want the new snapshot", got)
	}
	snaps <- rendering{id: 0, body: []byte("synced\n"), mark: "0.1"}
	wake <- struct{}{}
	snaps <- rendering{id: 3, body: []byte("release\n"), mark: "0.1"}
	wake <- struct{}{}
	if got := line(); got != "release\n" {
		t.Fatalf("an unchanged wake-up then a release event: got %q, want only the release event", got)
	}
	close(closing)
	<-done
}
