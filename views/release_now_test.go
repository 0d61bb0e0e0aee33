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
			text, _, look := ReleaseView{Release: release.Release{Status: release.Running, Environments: tt.envs}}.doing()
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

// TestBlockerLookSpeaksTheHeadersLanguage: a blocker looks like what holds it, as the header
// does: running while its environment runs (a promotion, an Argo CD sync), a person's turn
// for an approval, a merge or a suspended Argo workflow, a timer's or an outside system's
// otherwise.
func TestBlockerLookSpeaksTheHeadersLanguage(t *testing.T) {
	for _, tt := range []struct {
		status, blocker, want string
	}{
		{release.Running, "promoting shop-prod", nowRunning},
		{release.Running, "waiting for Argo CD to sync shop-prod", nowRunning},
		{release.Suspended, "waiting for approval: 0 of 1 (groups: sre) — pre-action gate, step sign-off", nowPerson},
		{release.Suspended, release.BlockerMerge + " #12", nowPerson},
		{release.Suspended, runner.BlockerArgoSuspended + ": deploy-x on argo waits to be resumed", nowPerson},
		{release.Suspended, "waiting 30m0s (soak time) until 2026-12-03 14:05:00 UTC — post-action soak, step soak", nowSystem},
		{release.Pending, "frozen until 2026-12-24 00:00 UTC", nowSystem},
	} {
		if got := blockerLook(tt.status, tt.blocker); got != tt.want {
			t.Errorf("%s %q: got %s, want %s", tt.status, tt.blocker, got, tt.want)
		}
	}
}

// TestActivityFollowsThePagesOrder: the release's own group first, then each environment in
// page order with its applications after it, whatever order their events came in; a
// repeated line once; log lines left out.
func TestActivityFollowsThePagesOrder(t *testing.T) {
	var events []release.Event
	for _, e := range []struct{ kind, subject, message string }{
		{"environment", "dev", "trigger environment dev succeeded"}, {"application", "dev/shop-dev", "the change is in Git"},
		{"environment", "staging", "promoted"}, {"environment", "prod-eu", "waiting"}, {"environment", "prod-us", "waiting"},
		{"application", "staging/shop-staging", "pushed"}, {"release", "", "release #1 created"},
		{"application", "prod-us/shop-prod-us", "approval asked"}, {"application", "prod-eu/shop-prod-eu", "approval asked"},
		{"application", "prod-eu/shop-prod-eu", "approval asked"}, {"log", "prod-eu/shop-prod-eu", "a log line"},
		{"application", "prod-eu/shop-prod-eu-canary", "approval asked"}, {"step", "gone/app", "from an environment no longer shown"},
	} {
		events = append(events, release.Event{Kind: e.kind, Subject: e.subject, Message: e.message})
	}
	envs := []release.Environment{{Name: "dev"}, {Name: "staging"}, {Name: "prod-eu"}, {Name: "prod-us"}}
	var got []string
	for _, g := range GroupEvents(events, envs) {
		got = append(got, g.Label())
		if g.Subject == "prod-eu/shop-prod-eu" && len(g.Events) != 1 {
			t.Errorf("%s: got %d lines, want the repeated line once and no log line", g.Subject, len(g.Events))
		}
	}
	want := []string{"Release", "dev", "dev/shop-dev", "staging", "staging/shop-staging", "prod-eu", "prod-eu/shop-prod-eu",
		"prod-eu/shop-prod-eu-canary", "prod-us", "prod-us/shop-prod-us", "gone/app"}
	if !slices.Equal(got, want) {
		t.Errorf("got groups\n%v\nwant\n%v", got, want)
	}
}
