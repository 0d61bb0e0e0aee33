package runner

import (
	"testing"

	"ladder/internal/release"
)

func TestNextPhaseSkipsWhatHasNothingToDo(t *testing.T) {
	commit := release.Settings{Action: release.Setting{Value: release.ActionCommit}}
	pr := release.Settings{Action: release.Setting{Value: release.ActionPullRequest}}
	full := release.Settings{PreAction: release.Setting{Value: "gate"}, Action: release.Setting{Value: release.ActionCommit},
		PostAction: release.Setting{Value: "smoke"}}
	plain := release.Application{Target: release.Target{Name: "shop"}}
	argo := release.Application{Target: release.Target{Name: "shop", ArgocdServer: "argo", ArgocdApp: "shop-prod"}}
	health := release.Application{Target: release.Target{Name: "shop", HealthURL: "http://127.0.0.1/healthz"}}
	tests := []struct {
		name string
		cur  string
		s    release.Settings
		app  release.Application
		want string
	}{
		{"commit, nothing to verify", release.PhaseAction, commit, plain, release.PhaseDone},
		{"commit, Argo CD", release.PhaseAction, commit, argo, release.PhaseVerify},
		{"commit, health URL", release.PhaseAction, commit, health, release.PhaseVerify},
		{"Argo CD server without an application", release.PhaseAction, commit, release.Application{Target: release.Target{ArgocdServer: "argo"}}, release.PhaseDone},
		{"pull request", release.PhaseAction, pr, plain, release.PhaseMerge},
		{"merged, nothing to verify", release.PhaseMerge, pr, plain, release.PhaseDone},
		{"pre-action first", release.PhasePre, full, plain, release.PhaseAction},
		{"post-action after an action with nothing to verify", release.PhaseAction, full, plain, release.PhasePost},
		{"verified, then post-action", release.PhaseVerify, full, health, release.PhasePost},
		{"post-action, then done", release.PhasePost, full, plain, release.PhaseDone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := nextPhase(tt.cur, tt.s, tt.app); got != tt.want {
				t.Errorf("after %s: got %s, want %s", tt.cur, got, tt.want)
			}
		})
	}
}
