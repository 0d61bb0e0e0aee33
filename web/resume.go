package web

import (
	"fmt"
	"net/http"
	"strconv"

	"ladder/internal/fault"
	"ladder/internal/runner"
)

// resumeWorkflow resumes the suspended Argo workflow of an argo step of a release (form field
// step: the step run's ID) on behalf of the signed-in promoter.
func resumeWorkflow(run *runner.Runner) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id := r.PathValue("id")
		if err := r.ParseForm(); err != nil {
			return fmt.Errorf("read form: %w", err)
		}
		stepID, err := strconv.ParseInt(r.PostForm.Get("step"), 10, 64)
		if err != nil {
			return fmt.Errorf("step %q: %w", r.PostForm.Get("step"), fault.ErrNotFound)
		}
		u, _ := signedIn(r)
		if err := run.ResumeArgo(r.Context(), id, stepID, u.Name); err != nil {
			return err
		}
		if r.Header.Get("HX-Request") == "true" {
			w.WriteHeader(http.StatusNoContent) // the page's event stream shows the step going on
			return nil
		}
		return redirect(w, r, "/releases/"+id)
	}
}
