package auth_test

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"ladder/internal/auth"
)

// TestProviderThatNeverAnswers points single sign-on at a server that accepts connections and
// never answers: the sign-on attempt must end with ErrUnreachable once the timeout has passed,
// instead of hanging.
func TestProviderThatNeverAnswers(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close() // held open, never answered
		}
	}()
	o := auth.NewOIDC(auth.OIDCConfig{Issuer: "http://" + ln.Addr().String(), ClientID: "ladder", Timeout: 300 * time.Millisecond})
	done := make(chan error, 1)
	go func() {
		_, err := o.AuthURL(context.Background(), auth.NewFlow("/"))
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, auth.ErrUnreachable) {
			t.Errorf("got %v, want %v", err, auth.ErrUnreachable)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the sign-on attempt still hangs after 10 s")
	}
}
