package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestMain lets the scenarios start this test binary as the Ladder server, as they start
// ladder-load itself.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && (os.Args[1] == "serve" || os.Args[1] == "bigrepo-engine") {
		if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestScenariosRunSmall runs every scenario at a tiny size and checks that the table has each
// figure the README quotes, and that the soak lost nothing.
func TestScenariosRunSmall(t *testing.T) {
	var out bytes.Buffer
	args := []string{"-dir", t.TempDir(), "-releases", "300", "-duration", "300ms", "-connections", "4",
		"-subscribers", "20", "-events", "2", "-promotions", "6", "-products", "2",
		"-idle", "200ms", "-soak", "8s", "-kill-min", "2s", "-kill-max", "3s",
		"-commits", "200", "-files", "20", "-repos", "2", "-warm", "1", "-settle", "500ms"}
	if err := run(context.Background(), args, &out); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	table := out.String()
	for _, figure := range []string{"releases list (", "release page (", "ladder/bare", "server memory per subscriber",
		"delivery delay p99", "runner/direct throughput", "start to /readyz 200", "idle RSS", "lost releases", "duplicate commits", "dashboard (", "rendered anew / bare", "background promotions", "warm-up, not measured", "cores used while measured",
		"cold promotion (", "warm promotion, median", "peak RSS during a promotion", "engine RSS after promoting into 2"} {
		if !strings.Contains(table, figure) {
			t.Errorf("the table has no %q row:\n%s", figure, table)
		}
	}
	for _, line := range strings.Split(table, "\n") {
		if strings.HasPrefix(line, "soak") && (strings.Contains(line, "lost releases") || strings.Contains(line, "duplicate commits")) &&
			!strings.HasSuffix(strings.TrimSpace(line), "yes") {
			t.Errorf("got %q, want none lost or duplicated", line)
		}
	}
}

// TestCPULineIsRead: steal is the eighth figure of /proc/stat's cpu line and the total counts
// the first eight, not guest time, which user already holds.
func TestCPULineIsRead(t *testing.T) {
	got, ok := parseCPULine("cpu  703902 23004 182810 3621921 7513 0 23149 67717 500 0\n")
	want := cpuTicks{total: 703902 + 23004 + 182810 + 3621921 + 7513 + 0 + 23149 + 67717, steal: 67717}
	if !ok || got != want {
		t.Errorf("got %+v, %v; want %+v", got, ok, want)
	}
	for _, line := range []string{"", "cpu0 1 2 3 4 5 6 7 8", "cpu 1 2 3 4 5 6 7", "cpu 1 2 3 x 5 6 7 8"} {
		if _, ok := parseCPULine(line); ok {
			t.Errorf("%q was read", line)
		}
	}
}

// TestPagesAsBrowsersAsk: with -encoding gzip, pages are asked for and measured compressed,
// Ladder's and the bare handler's alike.
func TestPagesAsBrowsersAsk(t *testing.T) {
	var out bytes.Buffer
	args := []string{"-dir", t.TempDir(), "-releases", "300", "-duration", "300ms", "-connections", "4", "-encoding", "gzip", "pages"}
	if err := run(context.Background(), args, &out); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	table := out.String()
	for _, figure := range []string{"releases list (", "release page (", "dashboard ("} {
		if !strings.Contains(table, figure) || !regexp.MustCompile(regexp.QuoteMeta(figure)+`\d+ B gzip, `).MatchString(table) {
			t.Errorf("the table has no %q row measured gzip-compressed:\n%s", figure, table)
		}
	}
	if _, _, err := parseFlags([]string{"-encoding", "br"}); err == nil {
		t.Error("-encoding br was accepted")
	}
}

// TestLadderAndBareFollowThePageRenderedAnewInTurn: over the rounds, Ladder (target 0) and the
// bare handler (1) each come right after the page rendered anew (2) as often as the other,
// within one (10 rounds have 9 turns after it).
func TestLadderAndBareFollowThePageRenderedAnewInTurn(t *testing.T) {
	var sequence []int
	for round := range 10 {
		sequence = append(sequence, turnOrder(round, 3)...)
	}
	after := map[int]int{}
	for i := 1; i < len(sequence); i++ {
		if sequence[i-1] == 2 {
			after[sequence[i]]++
		}
	}
	if d := after[0] - after[1]; d < -1 || d > 1 || after[0] == 0 {
		t.Errorf("after the page rendered anew came Ladder %d times and the bare handler %d times (%v)", after[0], after[1], sequence)
	}
}

// TestTurnsAreWrittenEachWithItsFigures: with a writer for the turns, driveInTurns writes one
// line per turn, naming the page, the round (the first warms up) and the target, with what
// that turn measured; the results count the measured rounds only.
func TestTurnsAreWrittenEachWithItsFigures(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("page")) }))
	defer srv.Close()
	var turns bytes.Buffer
	targets := []target{{name: "one", url: srv.URL}, {name: "two", url: srv.URL + "/2"}}
	results, err := driveInTurns(context.Background(), targets, 2, 2*turn, "a page", &turns)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(turns.String()), "\n")
	want := []string{"turn a page, warm-up, one: ", "turn a page, warm-up, two: ", "turn a page, round 0, one: ", "turn a page, round 0, two: ",
		"turn a page, round 1, two: ", "turn a page, round 1, one: "}
	if len(lines) != len(want) {
		t.Fatalf("got %d lines, want %d:\n%s", len(lines), len(want), turns.String())
	}
	measured := map[string]int{}
	for i, line := range lines {
		var n int
		rest, ok := strings.CutPrefix(line, want[i])
		if _, err := fmt.Sscanf(rest, "%d requests, p50 ", &n); !ok || err != nil || n == 0 {
			t.Errorf("line %d: got %q, want it to start %q and give the turn's requests and latencies", i, line, want[i])
		}
		if !strings.Contains(line, "warm-up") {
			measured[strings.TrimSuffix(strings.Fields(want[i])[5], ":")] += n
		}
	}
	for i, r := range results {
		if r.requests != measured[targets[i].name] {
			t.Errorf("%s: %d requests measured, want the %d of its measured turns", targets[i].name, r.requests, measured[targets[i].name])
		}
	}
}

// TestConnReadsWhatServersSend: a connection reads answers with a length and chunked ones,
// sends the target's credential and encoding, dials again after the server closes, and
// calls anything but 200 an error.
func TestConnReadsWhatServersSend(t *testing.T) {
	var dials, asked int
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked++
		if r.Header.Get("Cookie") != "s=1" || r.Header.Get("Accept-Encoding") != "gzip" {
			http.Error(w, "no cookie or encoding", http.StatusBadRequest)
			return
		}
		switch r.URL.Path {
		case "/length":
			w.Header().Set("Content-Length", "5")
			_, _ = w.Write([]byte("hello"))
		case "/chunked":
			for range 3 {
				_, _ = w.Write(bytes.Repeat([]byte("x"), 40_000))
				w.(http.Flusher).Flush()
			}
		case "/close":
			w.Header().Set("Connection", "close")
			_, _ = w.Write([]byte("bye"))
		default:
			http.NotFound(w, r)
		}
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			dials++
		}
	}
	srv.Start()
	defer srv.Close()
	c, err := newConn(target{url: srv.URL, cred: credential{"Cookie", "s=1"}, encoding: "gzip"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.close()
	for _, path := range []string{"/length", "/chunked", "/length", "/close", "/length"} {
		if err := c.get(context.Background(), path); err != nil {
			t.Errorf("GET %s: %v", path, err)
		}
	}
	if err := c.get(context.Background(), "/missing"); err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("GET /missing: got %v, want a 404 error", err)
	}
	if asked != 6 || dials != 2 {
		t.Errorf("the server answered %d requests on %d connections, want 6 on 2 (one again after it closed)", asked, dials)
	}
}
