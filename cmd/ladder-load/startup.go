package main

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// startupRuns is how many times the server is started; the table shows the slowest.
const startupRuns = 3

// runStartup starts the server as a child process on the stored releases, times each start
// to the first 200 from /readyz and reads its memory after it has idled.
func runStartup(ctx context.Context, o options, t *table) error {
	h, err := loadHistory(ctx, o, t)
	if err != nil {
		return err
	}
	l, logFile, err := launcher(h.dir)
	if err != nil {
		return err
	}
	defer logFile.Close()
	var starts []time.Duration
	var idle []int64
	for range startupRuns {
		start := time.Now()
		srv, err := l.Start(ctx)
		if err != nil {
			return err
		}
		starts = append(starts, time.Since(start))
		time.Sleep(o.idle)
		m, err := rss(srv.Pid())
		if err != nil {
			return err
		}
		idle = append(idle, m)
		if err := srv.Stop(10 * time.Second); err != nil {
			return err
		}
	}
	slow, most := slices.Max(starts), slices.Max(idle)
	t.row("startup", fmt.Sprintf("start to /readyz 200, %d releases (slowest of %d)", o.releases, startupRuns),
		fmt.Sprintf("%s (all: %v)", ms(slow), roundAll(starts)), "≤ 500 ms", yes(slow <= 500*time.Millisecond))
	t.row("startup", fmt.Sprintf("idle RSS %s after start (largest)", o.idle), fmt.Sprintf("%.1f MiB", mib(most)), "< 60 MB", yes(most < 60_000_000))
	return nil
}

func roundAll(ds []time.Duration) []time.Duration {
	out := make([]time.Duration, len(ds))
	for i, d := range ds {
		out[i] = d.Round(time.Millisecond)
	}
	return out
}
