package main

import (
	"fmt"
	"io"
	"slices"
	"text/tabwriter"
	"time"
)

// table collects result rows and prints them aligned.
type table struct {
	w    *tabwriter.Writer
	rows int
}

func newTable(out io.Writer) *table {
	return &table{w: tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)}
}

// row adds one figure: its scenario, what it is, the value, the target and whether it is met
// ("" when the figure is context, not a target).
func (t *table) row(scenario, figure, value, target, met string) {
	if t.rows == 0 {
		fmt.Fprintln(t.w, "SCENARIO\tFIGURE\tVALUE\tTARGET\tMET")
	}
	t.rows++
	fmt.Fprintf(t.w, "%s\t%s\t%s\t%s\t%s\n", scenario, figure, value, target, met)
}

func (t *table) flush() { _ = t.w.Flush() }

func yes(ok bool) string {
	if ok {
		return "yes"
	}
	return "NO"
}

// latencies is a set of measured durations.
type latencies []time.Duration

// quantile returns the q-quantile (0 ≤ q ≤ 1) by the nearest-rank method.
func (l latencies) quantile(q float64) time.Duration {
	if len(l) == 0 {
		return 0
	}
	s := slices.Clone(l)
	slices.Sort(s)
	i := int(q*float64(len(s))+0.999999) - 1
	return s[min(max(i, 0), len(s)-1)]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000) }

func us(d time.Duration) string { return fmt.Sprintf("%.0f µs", float64(d.Nanoseconds())/1000) }
