package views

import (
	"strings"

	"ladder/internal/release"
)

// An error is told once, where it happened: an environment's error reads "app: workflow:
// step: cause", its application's "workflow: step: cause" and the step's "cause". The card
// shows each message only where no part of it is told further down (the release header
// above keeps the whole chain).

// envErrorTold reports whether e's error is told by one of its applications or steps.
func envErrorTold(e release.Environment, steps StepList) bool {
	for _, a := range e.Applications {
		if a.Error != "" && strings.Contains(e.Error, a.Error) {
			return true
		}
	}
	return stepTells(e.Error, steps, "")
}

// appErrorTold reports whether a's error is the environment's own or told by a step of it.
func appErrorTold(a release.Application, e release.Environment, steps StepList) bool {
	return a.Error == e.Error && !envErrorTold(e, steps) || stepTells(a.Error, steps, a.Name)
}

// stepTells reports whether a failed step (of application app, when not empty) carries part
// of msg.
func stepTells(msg string, steps StepList, app string) bool {
	for _, s := range steps.Steps {
		if s.Error != "" && (app == "" || s.Application == app) && strings.Contains(msg, s.Error) {
			return true
		}
	}
	return false
}
