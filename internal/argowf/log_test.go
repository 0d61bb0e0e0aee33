package argowf

import (
	"testing"
	"time"
)

// TestLogCursorTake: a read since the latest line (less a slack) returns lines again; the
// cursor keeps each pod's line once, also lines sharing a timestamp, and a later pod's lines
// that sort before others' (the Argo Server merges pods by time, util/logs/workflow-logger.go).
func TestLogCursorTake(t *testing.T) {
	t0 := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	c := LogCursor{}
	first := c.Take([]LogLine{{"a", at(1), "a1"}, {"a", at(3), "a3"}, {"a", at(3), "a3bis"}})
	if len(first) != 3 {
		t.Fatalf("got %d lines, want 3", len(first))
	}
	if got := c.since(); !got.Equal(at(3).Add(-logSlack)) {
		t.Errorf("got since %s, want the latest line less the slack", got)
	}
	second := c.Take([]LogLine{{"a", at(1), "a1"}, {"b", at(2), "b2"}, {"a", at(3), "a3"}, {"a", at(3), "a3bis"},
		{"a", at(3), "a3ter"}, {"a", at(4), "a4"}})
	var got []string
	for _, l := range second {
		got = append(got, l.Content)
	}
	if want := []string{"b2", "a3ter", "a4"}; len(got) != len(want) || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Errorf("got %v, want %v", got, want)
	}
}

// TestLogLine splits the timestamp the server puts in front of a line read with timestamps.
func TestLogLine(t *testing.T) {
	l := logLine("p", "2026-05-01T10:00:00.123456789Z 12 passed")
	if l.Content != "12 passed" || l.Time.Nanosecond() != 123456789 {
		t.Errorf("got %+v, want the text and the time apart", l)
	}
	if l := logLine("p", "no timestamp here"); l.Content != "no timestamp here" || !l.Time.IsZero() {
		t.Errorf("got %+v, want the whole line and no time", l)
	}
}
