package gitops

import (
	"context"
	"errors"
	"testing"
)

// TestPollerReportsARepeatedErrorOnce polls a watch whose repository fails the same way five
// times, then another way, then is read, then fails again: four reports in all (one per
// change of state), and one "read again".
func TestPollerReportsARepeatedErrorOnce(t *testing.T) {
	refused := &Error{Class: ErrUnreachable, Op: "fetch", URL: "http://git.example/app.git", Reason: "connection refused"}
	denied := &Error{Class: ErrAuthentication, Op: "fetch", URL: "http://git.example/app.git", Reason: "HTTP 401"}
	results := []error{refused, refused, refused, refused, refused, denied, denied, nil, nil, refused}
	var reported []error
	var recovered int
	poll := 0
	p := &Poller{
		List: func(context.Context) ([]Watch, error) { return []Watch{{Key: "dev/app", Since: "a"}}, nil },
		Changes: func(context.Context, Remote, string, string, string) (string, []Commit, error) {
			err := results[poll]
			poll++
			return "a", nil, err
		},
		Found:     func(context.Context, Change) error { return nil },
		Error:     func(err error) { reported = append(reported, err) },
		Recovered: func(Watch) { recovered++ },
	}
	for range results {
		p.Poll(context.Background())
	}
	want := []error{refused, denied, refused}
	if len(reported) != len(want) {
		t.Fatalf("reported %d errors (%v), want %d", len(reported), reported, len(want))
	}
	for i := range want {
		if !errors.Is(reported[i], want[i]) {
			t.Errorf("report %d: %v, want %v", i, reported[i], want[i])
		}
	}
	if recovered != 1 {
		t.Errorf("read again %d times, want 1", recovered)
	}
}
