package web

import (
	"bytes"
	"context"
	"testing"
	"time"

	"ladder/internal/runner"
	"ladder/views"
)

// TestResumeButton: an argo step whose workflow is suspended offers Resume to people who may
// promote, posting the step run to the release's resume-workflow route; others see the
// blocker only, and a running argo step has no button.
func TestResumeButton(t *testing.T) {
	suspended := runner.StepRun{ID: 42, Name: "suite", Kind: "argo", Status: "SUSPENDED", Environment: "prod",
		Blocker: runner.BlockerArgoSuspended + ": e2e-1 at approve on ci waits to be resumed", StartedAt: time.Now()}
	running := suspended
	running.Blocker = "Argo workflow e2e-1 is Running on ci"
	tests := []struct {
		name     string
		approver string
		step     runner.StepRun
		want     bool
	}{
		{"promoter, suspended", "alice", suspended, true},
		{"viewer, suspended", "", suspended, false},
		{"promoter, running", "alice", running, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			l := views.StepList{ReleaseID: "r1", Approver: tt.approver, Steps: []runner.StepRun{tt.step}, Now: time.Now()}
			if err := views.StepRuns(l).Render(context.Background(), &buf); err != nil {
				t.Fatal(err)
			}
			body := buf.String()
			_, got := byTestID(body, "resume-suite")
			if got != tt.want {
				t.Fatalf("got Resume button %t, want %t", got, tt.want)
			}
			if got && !bytes.Contains(buf.Bytes(), []byte(`action="/releases/r1/resume-workflow"`)) ||
				got && !bytes.Contains(buf.Bytes(), []byte(`name="step" value="42"`)) {
				t.Errorf("the form does not post step 42 to /releases/r1/resume-workflow: %s", body)
			}
		})
	}
}
