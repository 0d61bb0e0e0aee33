package web

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"ladder/internal/fault"
	"ladder/internal/promotion"
	"ladder/internal/release"
	"ladder/internal/runner"
	"ladder/internal/user"
	"ladder/views"
)

// decideStep approves (or rejects) a waiting approval step of a release. The form names the
// step run and its environment; the release actions service decides who may.
func decideStep(promotions *promotion.Service, approve bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id := r.PathValue("id")
		if err := r.ParseForm(); err != nil {
			return fmt.Errorf("read form: %w", err)
		}
		stepID, err := strconv.ParseInt(r.PostForm.Get("step"), 10, 64)
		if err != nil {
			return fmt.Errorf("step %q: %w", r.PostForm.Get("step"), fault.ErrNotFound)
		}
		err = promotions.Decide(r.Context(), actor(r), promotion.Decision{ReleaseID: id, StepRunID: stepID,
			Environment: r.PostForm.Get("environment"), Approve: approve, Comment: r.PostForm.Get("comment")})
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
