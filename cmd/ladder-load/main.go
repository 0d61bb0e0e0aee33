// Command ladder-load measures Ladder on the machine it runs on and prints a table. Every
// figure is measured side by side with its baseline in the same run; every run stops by
// itself; load goes only to 127.0.0.1.
//
// Usage:
//
//	ladder-load [flags] [scenario ...]
//
// Scenarios (default: all of them, in this order):
//
//	pages       100,000 releases stored; the releases list and a release page at 64
//	            connections for -duration each, next to a bare net/http handler writing the
//	            same bytes: requests per second, p50, p99 and the ratio; and the same pages
//	            with a query parameter of their own on every request, which defeats Ladder's
//	            page cache, for the cost of rendering each view anew. The three are driven in
//	            turns of a second, so that each meets the machine as the others do.
//	busy        the releases list and the dashboard measured as pages does, with -releases
//	            releases stored, while promotions of 10 other products start in the
//	            background at -rate per second: p99 of both, and the list rendered anew next
//	            to the bare handler.
//	sse         -subscribers event streams on one release; -events changes published; the
//	            delay from each change to each subscriber's event (p50, p99) and the server's
//	            memory growth per subscriber.
//	promotions  -promotions single-environment promotions across -products products through
//	            the runner, next to the same Git work done directly by the Git engine.
//	startup     time from process start to /readyz 200 with -releases releases stored, and
//	            the idle memory after start.
//	soak        mixed load (browsing, event streams, releases started over HTTP) for -soak
//	            while the server is SIGKILLed and restarted every -kill-min to -kill-max;
//	            then lost releases, duplicate commits and 5xx answers outside restart gaps.
//	bigrepo     a -commits commit, -files file repository built with git fast-import and
//	            served over smart HTTP with a token: the Git engine's cold and warm promotions
//	            (time, peak RSS) next to git clone --depth 1 / pull + edit + commit + push,
//	            then the engine's RSS after promoting into -repos copies, for -settle.
//
// Flags:
//
//	-duration d        how long each pages target is driven in all (default 10s)
//	-connections n     concurrent connections of the pages scenario (default 64)
//	-auth a            how pages signs in: session (a browser's cookie, default) or token
//	-encoding e        how pages and busy ask for pages: identity (the bytes as they are,
//	                   default) or gzip (as browsers ask; the bare handler then writes the
//	                   same compressed bytes, and the clients read them without unpacking)
//	-releases n        releases stored for pages and startup (default 100000)
//	-subscribers n     event-stream subscribers (default 10000)
//	-events n          changes published in the sse scenario (default 10)
//	-promotions n      promotions in the promotions scenario (default 1000)
//	-rate r            promotions started per second behind the busy scenario (default 20)
//	-products n        products the promotions are spread over (default 50)
//	-soak d            length of the soak (default 3m; the full target is 10m)
//	-kill-min d        shortest time between kills in the soak (default 30s)
//	-kill-max d        longest time between kills in the soak (default 90s)
//	-idle d            how long the server idles before its memory is read (default 5s)
//	-commits n         commits of the bigrepo repository (default 20000)
//	-files n           files of the bigrepo repository (default 2000)
//	-repos n           copies bigrepo promotes into for the memory figure (default 10)
//	-warm n            warm promotions bigrepo times (default 5)
//	-settle d          how long bigrepo watches memory after its promotions (default 1m)
//	-cpuprofile file   write a CPU profile of the pages, sse and promotions measurements
//	-dir path          keep working files here instead of a removed temporary directory
//
// ladder-load serve … runs a Ladder server (as `ladder serve` does); the startup, sse and soak
// scenarios start themselves that way as a child process.
package main

import (
	"context"
	"fmt"
	"os"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "ladder-load:", err)
		os.Exit(1)
	}
}
