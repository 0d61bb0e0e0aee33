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
		u, _ := signedIn(r)
		if name := r.PostForm.Get("environment"); name != "" {
			e, ok := rel.Environment(name)
			if !ok {
				return fmt.Errorf("environment %q of release %s: %w", name, id, fault.ErrNotFound)
			}
			allowed, err := users.CanApprove(r.Context(), u, user.Target{Name: e.Name, Kind: e.Kind})
			if err != nil {
				return err
			}
			if !allowed {
				return fmt.Errorf("%s may not approve in %s: %w", u.Name, e.Name, fault.ErrForbidden)
			}
		}
		err = run.Decide(r.Context(), runner.Decision{ReleaseID: id, StepRunID: stepID,
			Environment: r.PostForm.Get("environment"), User: u.Name, Groups: u.Groups, Approve: approve,
			Comment: r.PostForm.Get("comment")})
		if err != nil {
			return err
		}
		if r.Header.Get("HX-Request") == "true" {
			w.WriteHeader(http.StatusNoContent) // the page's event stream shows the release going on
			return nil
		}
		return redirect(w, r, "/releases/"+id)
	}
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
