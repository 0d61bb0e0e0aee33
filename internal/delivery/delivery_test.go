package delivery_test

import (
	"testing"
	"time"

	"ladder/internal/delivery"
)

func TestCompute(t *testing.T) {
	now := time.Date(2026, 5, 14, 12, 0, 0, 0, time.UTC) // a Thursday
	at := func(daysAgo int, hour int) *time.Time {
		v := time.Date(2026, 5, 14-daysAgo, hour, 0, 0, 0, time.UTC)
		return &v
	}
	prod := map[string]bool{"prod-eu": true, "prod-us": true}
	deps := []delivery.Deployment{
		// Two deployments to prod-eu this week: lead times 2 h (from the commit) and 4 h (no
		// commit date: from the release's creation).
		{Environment: "prod-eu", Status: "SUCCEEDED", CreatedAt: *at(1, 9), TriggerDate: at(1, 8), FinishedAt: at(1, 10)},
		{Environment: "prod-eu", Status: "SUCCEEDED", CreatedAt: *at(0, 6), FinishedAt: at(0, 10)},
		// A failure in prod-us two weeks ago, restored 3 h later.
		{Environment: "prod-us", Status: "FAILED", CreatedAt: *at(14, 9), FinishedAt: at(14, 10)},
		{Environment: "prod-us", Status: "SUCCEEDED", CreatedAt: *at(14, 12), TriggerDate: at(14, 11), FinishedAt: at(14, 13)},
		// A failure in prod-eu not restored: a success in another environment does not count.
		{Environment: "prod-eu", Status: "FAILED", CreatedAt: *at(0, 10), FinishedAt: at(0, 11)},
		// Not production, not finished, or too old: ignored.
		{Environment: "staging", Status: "SUCCEEDED", CreatedAt: *at(0, 1), FinishedAt: at(0, 2)},
		{Environment: "prod-eu", Status: "RUNNING", CreatedAt: *at(0, 1)},
		{Environment: "prod-eu", Status: "SUCCEEDED", CreatedAt: *at(200, 1), FinishedAt: at(200, 2)},
	}
	m := delivery.Compute(deps, prod, now)
	checks := []struct {
		name      string
		got, want any
	}{
		{"deployments", m.Deployments, 3},
		{"failures", m.Failures, 2},
		{"failure rate", m.FailureRate, 0.4},
		{"median lead time", m.LeadTime, 2 * time.Hour},
		{"time to restore", m.TimeToRestore, 3 * time.Hour},
		{"restored", m.Restored, 1},
		{"unrestored", m.Unrestored, 1},
		{"weeks", len(m.Weeks), delivery.Weeks},
		{"this week's deployments", m.Weeks[delivery.Weeks-1].Deployments, 2},
		{"this week's lead time", m.Weeks[delivery.Weeks-1].LeadTime, 3 * time.Hour},
		{"two weeks ago: failures", m.Weeks[delivery.Weeks-3].Failures, 1},
		{"two weeks ago: restore", m.Weeks[delivery.Weeks-3].Restore, 3 * time.Hour},
		{"first week starts on a Monday", m.Weeks[0].Start.Weekday(), time.Monday},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			if c.got != c.want {
				t.Errorf("got %v, want %v", c.got, c.want)
			}
		})
	}
}

func TestComputeWithNoDeployments(t *testing.T) {
	m := delivery.Compute(nil, map[string]bool{"prod": true}, time.Now())
	if m.Deployments != 0 || m.FailureRate != 0 || m.LeadTime != 0 || len(m.Weeks) != delivery.Weeks {
		t.Errorf("got %+v, want zero metrics over %d empty weeks", m, delivery.Weeks)
	}
}
