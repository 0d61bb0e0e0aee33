package web

import (
	"context"
	"errors"
	"net/http"
	"time"

	"ladder/internal/credential"
	"ladder/internal/fault"
	"ladder/internal/modelrepo"
	"ladder/views"
)

// attemptsShown is how many attempts the model repository page lists.
const attemptsShown = 20

// showModelRepo shows the model repository's setting and its last attempts.
func showModelRepo(repo *modelrepo.Service, creds *credential.Service, interval time.Duration) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		v, err := modelRepoView(r.Context(), repo, creds, interval, canAdmin(r))
		if err != nil {
			return err
		}
		return render(w, r, http.StatusOK, views.ModelRepoPage(layout(r, "Model repository", "model-repository"), v))
	}
}

func modelRepoView(ctx context.Context, repo *modelrepo.Service, creds *credential.Service, interval time.Duration, admin bool) (views.ModelRepoView, error) {
	set, ok, err := repo.Get(ctx)
	if err != nil {
		return views.ModelRepoView{}, err
	}
	v := views.ModelRepoView{Set: ok, Location: set.Location(), Interval: interval}
	v.Form = views.ModelRepoForm{Input: modelrepo.Input{URL: set.URL, Branch: set.Branch, Path: set.Path,
		Credential: set.Credential}, CanAdmin: admin}
	if v.Form.Credentials, err = credentialNames(ctx, creds); err != nil {
		return v, err
	}
	v.Attempts, err = repo.Attempts(ctx, attemptsShown)
	return v, err
}

func credentialNames(ctx context.Context, creds *credential.Service) ([]string, error) {
	list, err := creds.List(ctx)
	names := make([]string, 0, len(list))
	for _, c := range list {
		names = append(names, c.Name)
	}
	return names, err
}

// saveModelRepo stores the setting and reads the repository at once.
func saveModelRepo(repo *modelrepo.Service, creds *credential.Service) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		in := modelrepo.Input{URL: r.FormValue("url"), Branch: r.FormValue("branch"), Path: r.FormValue("path"),
			Credential: r.FormValue("credential")}
		_, err := repo.Set(r.Context(), in)
		var fe fault.FieldErrors
		if errors.As(err, &fe) {
			names, lerr := credentialNames(r.Context(), creds)
			if lerr != nil {
				return lerr
			}
			form := views.ModelRepoForm{Input: in, Credentials: names, Errors: fe, CanAdmin: true}
			return render(w, r, http.StatusUnprocessableEntity, views.ModelRepoFormCard(form))
		}
		if err != nil {
			return err
		}
		return checkedModelRepo(w, r, repo, "Model repository saved")
	}
}

// checkModelRepo reads the repository now ("Check now").
func checkModelRepo(repo *modelrepo.Service) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		return checkedModelRepo(w, r, repo, "Model repository checked")
	}
}

// checkedModelRepo checks the repository and goes back to its page, saying what came of it.
func checkedModelRepo(w http.ResponseWriter, r *http.Request, repo *modelrepo.Service, done string) error {
	a, err := repo.Check(r.Context())
	if err != nil {
		return err
	}
	msg := done + ": no new commit."
	if a != nil {
		msg = done + ": " + a.Result + "."
	}
	return redirectFlash(w, r, "/settings/model-repository", msg)
}
