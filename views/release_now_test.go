package views

import (
	"testing"

	"ladder/internal/release"
)

// TestDoingNamesWhatHoldsTheNextEnvironment: with nothing running, the header names the
// blocker of an environment held by a soak (or a freeze or pin), not one that only waits for
// an earlier environment.
func TestDoingNamesWhatHoldsTheNextEnvironment(t *testing.T) {
	soaking := "soaking: staging has run 1.3.2 for 12m of 30m (until 14:05 UTC)"
	tests := []struct {
		name string
		envs []release.Environment
		want string
		look string
	}{
		{"soaking", []release.Environment{{Name: "staging", Status: release.Succeeded},
			{Name: "prod", Status: release.Pending, Blocker: soaking}}, "Waiting in prod: " + soaking, nowSystem},
		{"promoting wins", []release.Environment{{Name: "qa", Status: release.Running},
			{Name: "prod", Status: release.Pending, Blocker: soaking}}, "Promoting to qa", nowRunning},
		{"a dependency wait is not news", []release.Environment{{Name: "staging", Status: release.Succeeded},
			{Name: "prod", Status: release.Pending, Blocker: "waiting for staging to succeed"}}, "Running", nowRunning},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text, look := ReleaseView{Release: release.Release{Status: release.Running, Environments: tt.envs}}.Doing()
			if text != tt.want || look != tt.look {
				t.Errorf("got %q (%s), want %q (%s)", text, look, tt.want, tt.look)
			}
		})
	}
}
