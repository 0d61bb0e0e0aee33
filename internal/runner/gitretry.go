package runner

import (
	"errors"
	"fmt"
	"time"

	"ladder/internal/gitops"
	"ladder/internal/release"
)

// defaultGitRetry is the first pause after the Git server could not be reached.
const defaultGitRetry = 20 * time.Second

// gitFailure turns a failed promotion into an outcome. Network trouble (refused, reset, no
// answer, a server error) makes the application wait with a blocker and try again, the pause
// growing while the trouble lasts; the flow's timeout ends the wait. Anything else (a refused
// credential, a missing repository or branch) fails the application with the engine's message.
func (r *Runner) gitFailure(app release.Application, err error) outcome {
	if !gitops.Transient(err) {
		return outcome{Failed: err.Error()}
	}
	delay := r.gitRetryDelay(app)
	reason := err.Error()
	var ge *gitops.Error
	if errors.As(err, &ge) {
		reason = ge.URL + ": " + ge.Reason
	}
	return outcome{Retry: r.now().Add(delay),
		Blocker: fmt.Sprintf("%s: %s; next try in %s", gitops.ErrUnreachable, reason, seconds(delay))}
}

// gitRetryDelay is the pause before the next try: the first pause, or half the time the
// phase has been running when that is longer, at most ten first pauses.
func (r *Runner) gitRetryDelay(app release.Application) time.Duration {
	first := r.opts.GitRetry
	if first <= 0 {
		first = defaultGitRetry
	}
	d := first
	if app.PhaseStartedAt != nil {
		d = max(d, r.now().Sub(*app.PhaseStartedAt)/2)
	}
	return min(d, 10*first)
}

// seconds writes a pause as people read it: "20 s", "1.5 s".
func seconds(d time.Duration) string {
	return fmt.Sprintf("%.3g s", d.Seconds())
}
