package views

import (
	"testing"
	"time"

	"ladder/internal/delivery"
)

func TestChartAxes(t *testing.T) {
	start := time.Date(2026, 5, 4, 0, 0, 0, 0, time.UTC)
	m := delivery.Metrics{Deployments: 4, Failures: 1, Weeks: []delivery.Week{
		{Start: start, Deployments: 3, Failures: 1, LeadTime: 90 * time.Minute, Restore: 20 * time.Minute},
		{Start: start.AddDate(0, 0, 7), Deployments: 1, LeadTime: 26 * time.Hour},
	}}
	want := map[string][]string{
		"frequency":       {"0", "2", "4"},
		"lead-time":       {"0", "24 h", "2 days"},
		"failure-rate":    {"0%", "50%", "100%"},
		"time-to-restore": {"0", "10 min", "20 min"},
	}
	for _, c := range Charts(m) {
		var got []string
		for _, tk := range c.ticks() {
			got = append(got, tk.Label)
		}
		if len(got) != len(want[c.ID]) {
			t.Errorf("%s: got ticks %q, want %q", c.ID, got, want[c.ID])
			continue
		}
		for i := range got {
			if got[i] != want[c.ID][i] {
				t.Errorf("%s: got ticks %q, want %q", c.ID, got, want[c.ID])
				break
			}
		}
		if c.Unit == "" {
			t.Errorf("%s: no unit on the axis", c.ID)
		}
		for i, b := range c.Bars {
			if h := c.barH(b); h < 0 || h > plotBottom-plotTop {
				t.Errorf("%s bar %d: height %d outside the plot", c.ID, i, h)
			}
		}
	}
	if got := (Chart{Tick: countTick}).ticks(); len(got) != 1 || got[0].Label != "0" {
		t.Errorf("empty chart: got ticks %v, want just 0", got)
	}
}
