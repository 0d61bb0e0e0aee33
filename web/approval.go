package web

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"ladder/internal/fault"
	"ladder/internal/release"
	"ladder/internal/runner"
	"ladder/internal/user"
	"ladder/views"
)

// decideStep approves (or rejects) a waiting approval step of a release. The form names the
// step run and its environment; the person must be allowed to approve in that environment
// (roles and rules), and the runner refuses the release's initiator unless the step allows
// self-approval, people outside the step's groups, and second decisions.
func decideStep(run *runner.Runner, rels *release.Service, users *user.Service, approve bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id := r.PathValue("id")
		if err := r.ParseForm(); err != nil {
			return fmt.Errorf("read form: %w", err)
		}
		stepID, err := strconv.ParseInt(r.PostForm.Get("step"), 10, 64)
		if err != nil {
			return fmt.Errorf("step %q: %w", r.PostForm.Get("step"), fault.ErrNotFound)
		}
		rel, err := rels.Get(r.Context(), id)
		if err != nil {
			return err
		}
		pick := runner.Decision{StepRunID: stepID, Environment: r.PostForm.Get("environment"),
			Approve: approve, Comment: r.PostForm.Get("comment")}
		if err := decide(r, run, users, rel, pick); err != nil {
			return err
		}
		if r.Header.Get("HX-Request") == "true" {
			w.WriteHeader(http.StatusNoContent) // the page's event stream shows the release going on
			return nil
		}
		return redirect(w, r, "/releases/"+id)
	}
}

// decide records the signed-in person's decision d (step, environment, approve, comment) on
// a waiting approval step of rel, once they may approve in the step's environment (roles and
// rules); steps of release hooks, outside any environment, are left to the runner's checks.
// The browser's buttons and the API both decide through it.
func decide(r *http.Request, run *runner.Runner, users *user.Service, rel release.Release, d runner.Decision) error {
	u, _ := signedIn(r)
	if d.Environment != "" {
		e, ok := rel.Environment(d.Environment)
		if !ok {
			return fmt.Errorf("environment %q of release %s: %w", d.Environment, rel.ID, fault.ErrNotFound)
		}
		allowed, err := users.CanApprove(r.Context(), u, user.Target{Name: e.Name, Kind: e.Kind})
		if err != nil {
			return err
		}
		if !allowed {
			return fmt.Errorf("%s may not approve in %s: %w", u.Name, e.Name, fault.ErrForbidden)
		}
	}
	d.ReleaseID, d.User, d.Groups = rel.ID, u.Name, u.Groups
	return run.Decide(r.Context(), d)
}

// stepList reads a release's workflow steps for its page. Promoters see approval buttons.
func stepList(r *http.Request, run *runner.Runner, rel release.Release, now time.Time) (views.StepList, error) {
	steps, err := run.Steps(r.Context(), rel.ID)
	if err != nil {
		return views.StepList{}, err
	}
	l := views.StepList{ReleaseID: rel.ID, Initiator: rel.Initiator, Steps: steps, Now: now}
	if u, ok := signedIn(r); ok && u.Role().AtLeast(user.Promoter) {
		l.Approver = u.Name
	}
	return l, nil
}
