package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"ladder/internal/app"
)

// options are the command-line flags.
type options struct {
	duration    time.Duration
	connections int
	auth        string
	encoding    string
	releases    int
	subscribers int
	events      int
	promotions  int
	rate        float64
	products    int
	soak        time.Duration
	killMin     time.Duration
	killMax     time.Duration
	idle        time.Duration
	commits     int
	files       int
	repos       int
	warm        int
	settle      time.Duration
	cpuProfile  string
	turns       bool
	dir         string
	gitHost     string
}

// scenarios maps each scenario name to what runs it, in the default order.
var scenarios = []struct {
	name string
	run  func(ctx context.Context, o options, t *table) error
}{
	{"pages", runPages},
	{"busy", runBusy},
	{"sse", runSSE},
	{"promotions", runPromotions},
	{"startup", runStartup},
	{"soak", runSoak},
	{"bigrepo", runBigRepo},
}

func run(ctx context.Context, args []string, out io.Writer) error {
	if len(args) > 0 && args[0] == "serve" {
		return serve(ctx, args)
	}
	if len(args) == 2 && args[0] == "bigrepo-engine" {
		return bigRepoEngine(ctx, args[1])
	}
	o, names, err := parseFlags(args)
	if err != nil {
		return err
	}
	if o.dir == "" {
		dir, err := os.MkdirTemp("", "ladder-load-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		o.dir = dir
	}
	t := newTable(out)
	for _, s := range scenarios {
		if len(names) > 0 && !names[s.name] {
			continue
		}
		fmt.Fprintf(os.Stderr, "ladder-load: %s…\n", s.name)
		if err := s.run(ctx, o, t); err != nil {
			t.flush()
			return fmt.Errorf("%s: %w", s.name, err)
		}
	}
	t.flush()
	return nil
}

func parseFlags(args []string) (options, map[string]bool, error) {
	var o options
	fs := flag.NewFlagSet("ladder-load", flag.ContinueOnError)
	fs.DurationVar(&o.duration, "duration", 10*time.Second, "how long each pages target is driven in all (in turns of a second)")
	fs.IntVar(&o.connections, "connections", 64, "concurrent connections of the pages scenario")
	fs.StringVar(&o.auth, "auth", "session", "how the pages scenario signs in: session (a browser's cookie) or token")
	fs.StringVar(&o.encoding, "encoding", "identity", "how the pages and busy scenarios ask for pages: identity (the bytes as they are) or gzip (as browsers ask; the bare handler then writes the same compressed bytes)")
	fs.IntVar(&o.releases, "releases", 100_000, "releases stored for pages and startup")
	fs.IntVar(&o.subscribers, "subscribers", 10_000, "event-stream subscribers")
	fs.IntVar(&o.events, "events", 10, "changes published in the sse scenario")
	fs.IntVar(&o.promotions, "promotions", 1000, "promotions in the promotions scenario")
	fs.Float64Var(&o.rate, "rate", 20, "promotions started per second in the background of the busy scenario")
	fs.StringVar(&o.gitHost, "git-host", "file", "how the busy scenario serves its repositories: file (file:// addresses, the git processes at Ladder's priority) or http (git http-backend at the lowest CPU priority, standing for a Git host on another machine)")
	fs.IntVar(&o.products, "products", 50, "products the promotions are spread over")
	fs.DurationVar(&o.soak, "soak", 3*time.Minute, "length of the soak (the full target is 10m)")
	fs.DurationVar(&o.killMin, "kill-min", 30*time.Second, "shortest time between kills in the soak")
	fs.DurationVar(&o.killMax, "kill-max", 90*time.Second, "longest time between kills in the soak")
	fs.DurationVar(&o.idle, "idle", 5*time.Second, "how long the server idles before its memory is read (startup, sse)")
	fs.IntVar(&o.commits, "commits", 20_000, "commits of the bigrepo repository")
	fs.IntVar(&o.files, "files", 2000, "files of the bigrepo repository")
	fs.IntVar(&o.repos, "repos", 10, "bigrepo repositories promoted into for the memory figure")
	fs.IntVar(&o.warm, "warm", 5, "warm promotions timed in the bigrepo scenario")
	fs.DurationVar(&o.settle, "settle", time.Minute, "how long bigrepo watches memory after its promotions")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the measurements to this file")
	fs.BoolVar(&o.turns, "turns", false, "write each turn's figures of the pages and busy scenarios to standard error, to see when in a run its slow requests came")
	fs.StringVar(&o.dir, "dir", "", "keep working files here instead of a removed temporary directory")
	if err := fs.Parse(args); err != nil {
		return o, nil, err
	}
	names := map[string]bool{}
	for _, n := range fs.Args() {
		known := false
		for _, s := range scenarios {
			known = known || s.name == n
		}
		if !known {
			return o, nil, fmt.Errorf("unknown scenario %q (pages, busy, sse, promotions, startup, soak, bigrepo)", n)
		}
		names[n] = true
	}
	if o.rate <= 0 || o.rate > 1000 {
		return o, nil, fmt.Errorf("-rate: got %g, want more than 0 and at most 1000", o.rate)
	}
	if o.repos < 1 || o.warm < 1 || o.commits < 1 || o.files < 1 {
		return o, nil, fmt.Errorf("-repos, -warm, -commits and -files must be at least 1")
	}
	if o.gitHost != "http" && o.gitHost != "file" {
		return o, nil, fmt.Errorf("-git-host: got %q, want http or file", o.gitHost)
	}
	if o.auth != "session" && o.auth != "token" {
		return o, nil, fmt.Errorf("-auth: got %q, want session or token", o.auth)
	}
	if o.encoding != "identity" && o.encoding != "gzip" {
		return o, nil, fmt.Errorf("-encoding: got %q, want identity or gzip", o.encoding)
	}
	if o.killMin <= 0 || o.killMax < o.killMin {
		return o, nil, fmt.Errorf("-kill-min and -kill-max: got %s and %s, want 0 < min ≤ max", o.killMin, o.killMax)
	}
	if o.dir != "" {
		abs, err := filepath.Abs(o.dir)
		if err != nil {
			return o, nil, err
		}
		o.dir = abs
	}
	return o, names, nil
}

// serve runs Ladder as `ladder serve` does, profiling its CPU into the file named by
// LADDER_LOAD_CPUPROFILE (set by a scenario given -cpuprofile) until it stops.
func serve(ctx context.Context, args []string) error {
	if path := os.Getenv("LADDER_LOAD_CPUPROFILE"); path != "" {
		stop, err := profile(path, "server")
		if err != nil {
			return err
		}
		defer stop()
	}
	return app.Run(ctx, append([]string{"ladder"}, args...), os.Getenv, os.Stdout)
}
