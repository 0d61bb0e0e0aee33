package views

import (
	"testing"

	"ladder/internal/release"
	"ladder/internal/runner"
)

// TestAnErrorIsToldOnce: a failed step's cause is shown at the step, not again in its
// application and environment; an error no step carries stays where it happened.
func TestAnErrorIsToldOnce(t *testing.T) {
	const cause = "GET http://checks/healthz: got 500, want 2xx (attempt 1 of 1)"
	app := release.Application{Target: release.Target{Name: "shop-prod"}, Error: "post-action smoke-test: step healthz: " + cause}
	env := release.Environment{Name: "prod", Error: "shop-prod: " + app.Error, Applications: []release.Application{app}}
	failedStep := StepList{Steps: []runner.StepRun{{Name: "healthz", Application: "shop-prod", Error: cause}}}
	if !envErrorTold(env, failedStep) || !appErrorTold(app, env, failedStep) {
		t.Errorf("a step's failure is repeated by its environment (%v) or application (%v)",
			!envErrorTold(env, failedStep), !appErrorTold(app, env, failedStep))
	}

	// A push that failed: no step carries it; the application tells it, the environment not.
	push := release.Application{Target: release.Target{Name: "shop-prod"}, Error: "push: authentication required"}
	env = release.Environment{Name: "prod", Error: "shop-prod: " + push.Error, Applications: []release.Application{push}}
	if !envErrorTold(env, StepList{}) || appErrorTold(push, env, StepList{}) {
		t.Errorf("a push failure: environment told below %v (want true), application told elsewhere %v (want false)",
			envErrorTold(env, StepList{}), appErrorTold(push, env, StepList{}))
	}

	// The same words in the environment and its only application: shown once, by the card.
	same := release.Application{Target: release.Target{Name: "shop-prod"}, Error: "timed out"}
	env = release.Environment{Name: "prod", Error: "timed out", Applications: []release.Application{same}}
	if !envErrorTold(env, StepList{}) || appErrorTold(same, env, StepList{}) {
		t.Errorf("one message in both: want it under the application only")
	}

	// An environment error of its own (a hook, a freeze override gone wrong) stays.
	own := release.Environment{Name: "prod", Error: "onFail hook notify-team: exit status 1"}
	if envErrorTold(own, StepList{}) {
		t.Errorf("an environment's own error is hidden")
	}
}
