package views

import (
	"slices"
	"testing"

	"ladder/internal/release"
	"ladder/internal/runner"
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

// TestApprovalRowsKeepADecidedApprovalInPlace: while an approval waits, one already decided
// keeps its row (in the steps' order); once none waits, there are no rows.
func TestApprovalRowsKeepADecidedApprovalInPlace(t *testing.T) {
	eu := runner.StepRun{ID: 1, Environment: "prod-eu", Kind: "approval", Status: release.Succeeded,
		Decisions: []runner.Decided{{User: "alice", Approved: true}}}
	us := runner.StepRun{ID: 2, Environment: "prod-us", Kind: "approval", Status: release.Suspended}
	soak := runner.StepRun{ID: 3, Environment: "prod-eu", Kind: "wait", Status: release.Running}
	view := func(steps ...runner.StepRun) ReleaseView { return ReleaseView{Steps: StepList{Steps: steps}} }
	var envs []string
	for _, s := range view(eu, soak, us).ApprovalRows() {
		envs = append(envs, s.Environment)
	}
	if want := []string{"prod-eu", "prod-us"}; !slices.Equal(envs, want) {
		t.Errorf("rows while prod-us waits: got %v, want %v", envs, want)
	}
	us.Status, us.Decisions = release.Succeeded, []runner.Decided{{User: "bob", Approved: true}}
	if rows := view(eu, soak, us).ApprovalRows(); len(rows) != 0 {
		t.Errorf("rows once no approval waits: got %d, want none", len(rows))
	}
}
