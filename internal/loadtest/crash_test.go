package loadtest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ladder/internal/release"
)

// TestKilledAtRandomLosesNothing starts the ladder binary, starts releases over HTTP and
// SIGKILLs the process 50–800 ms after a start (often in the middle of a push), at least 20
// times, restarting it on the same data directory each time. At the end every release whose
// start was answered exists, every stored release succeeded, and every target repository
// holds exactly one promotion commit per release.
func TestKilledAtRandomLosesNothing(t *testing.T) {
	const kills = 22
	ctx := context.Background()
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	products := []string{"shop", "cart", "search"}
	bin, m, token := crashSetup(t, dir, data, products)
	addr, err := FreeAddr()
	if err != nil {
		t.Fatal(err)
	}
	logFile, err := os.Create(filepath.Join(dir, "ladder.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	l := &Launcher{Command: []string{bin}, DataDir: data, Addr: addr, Log: logFile}
	seed := time.Now().UnixNano()
	t.Logf("random seed %d", seed)
	rng := rand.New(rand.NewPCG(uint64(seed), 1))

	var acked []string
	version, inFlight := 0, 0
	for kill := range kills {
		srv, err := l.Start(ctx)
		if err != nil {
			t.Fatalf("start %d: %v (log in %s)", kill+1, err, logFile.Name())
		}
		acked = append(acked, startThenKill(t, ctx, srv, &Client{Base: srv.Base, Token: token}, m, products, rng, &version)...)
		if n, err := unfinished(ctx, data); err != nil {
			t.Fatal(err)
		} else if n > 0 {
			inFlight++
		}
	}

	srv, err := l.Start(ctx)
	if err != nil {
		t.Fatalf("final start: %v", err)
	}
	defer srv.Stop(5 * time.Second)
	if err := WaitFinished(ctx, data, 60*time.Second); err != nil {
		t.Errorf("after the last restart: %v", err)
	}
	log, _ := os.ReadFile(logFile.Name())
	t.Logf("kills=%d (with releases in flight %d, with leased jobs %d)", kills, inFlight, strings.Count(string(log), "resuming jobs of a previous run"))
	if inFlight < kills/2 {
		t.Errorf("got %d of %d kills with releases in flight, want at least half", inFlight, kills)
	}
	checkNothingLost(t, data, m, acked)
}

// checkNothingLost checks that every acknowledged release exists, every stored release
// succeeded, and every target repository holds exactly one promotion commit per release.
func checkNothingLost(t *testing.T, data string, m Model, acked []string) {
	t.Helper()
	rep, err := Check(context.Background(), data, m, acked)
	if err != nil {
		t.Fatal(err)
	}
	t.Log(rep)
	if !rep.OK() {
		t.Errorf("got unfinished %q, lost %q, missing %q, duplicates %q, stray %q; want none",
			rep.Unfinished, rep.Lost, rep.Missing, rep.Duplicates, rep.Stray)
	}
	if rep.Releases < len(acked) || rep.Commits != 2*rep.Releases {
		t.Errorf("got %d releases and %d promotion commits for %d acknowledged starts, want at least %d releases and two commits each",
			rep.Releases, rep.Commits, len(acked), len(acked))
	}
}

// unfinished counts the stored releases that have not reached a final status.
func unfinished(ctx context.Context, dataDir string) (int, error) {
	all, err := AllReleases(ctx, dataDir)
	n := 0
	for _, r := range all {
		if !release.Final(r.Status) {
			n++
		}
	}
	return n, err
}

// crashSetup builds the ladder binary into dir, seeds products on real repositories in the
// data directory and creates an admin token.
func crashSetup(t *testing.T, dir, data string, products []string) (string, Model, string) {
	t.Helper()
	bin := filepath.Join(dir, "ladder")
	if out, err := exec.Command("go", "build", "-o", bin, "ladder/cmd/ladder").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	m, err := Seed(context.Background(), data, dir, products, []string{"dev", "staging", "prod"}, nil)
	if err != nil {
		t.Fatalf("seed: %v", err)
	}
	token, err := CreateToken([]string{bin}, data, "crash")
	if err != nil {
		t.Fatal(err)
	}
	return bin, m, token
}

// startThenKill starts releases back to back and SIGKILLs srv 50–800 ms after the first
// answered start; it returns the IDs of the answered starts.
func startThenKill(t *testing.T, ctx context.Context, srv *Server, c *Client, m Model, products []string, rng *rand.Rand, version *int) []string {
	first := make(chan struct{})
	cycle, stop := context.WithCancel(ctx)
	defer stop()
	done := make(chan []string)
	go func() { done <- startReleases(t, cycle, c, m, products, rng.Uint64(), version, first) }()
	<-first
	time.Sleep(time.Duration(50+rng.IntN(751)) * time.Millisecond)
	if err := srv.Kill(); err != nil {
		t.Fatal(err)
	}
	stop()
	return <-done
}

// startReleases starts releases of random products one after another, each after a new
// version was committed in the product's dev repository, until ctx ends or a start gets no
// answer (the server was killed). It closes first after the first answered start and returns
// the IDs of the answered starts.
func startReleases(t *testing.T, ctx context.Context, c *Client, m Model, products []string, seed uint64, version *int, first chan struct{}) []string {
	rng := rand.New(rand.NewPCG(seed, 2))
	var acked []string
	defer func() {
		if len(acked) == 0 {
			close(first)
		}
	}()
	for ctx.Err() == nil {
		product := products[rng.IntN(len(products))]
		*version++
		if err := m.Repos[product]["dev"].CommitVersion(fmt.Sprintf("1.0.%d", *version)); err != nil {
			t.Error(err)
			return acked
		}
		id, err := c.StartRelease(ctx, product, FlowName)
		if err != nil {
			return acked // killed meanwhile: this start may or may not have been stored
		}
		acked = append(acked, id)
		if len(acked) == 1 {
			close(first)
		}
	}
	return acked
}
