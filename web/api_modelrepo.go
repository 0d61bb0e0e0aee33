package web

import (
	"fmt"
	"net/http"
	"time"

	"ladder/internal/fault"
	"ladder/internal/model"
	"ladder/internal/modelrepo"
)

// modelRepoJSON is the model repository's setting.
type modelRepoJSON struct {
	URL        string    `json:"url"`
	Branch     string    `json:"branch,omitempty"`
	Path       string    `json:"path,omitempty"`
	Credential string    `json:"credential,omitempty"`
	UpdatedAt  time.Time `json:"updatedAt" openapi:"readOnly"`
}

// modelRepoAttemptJSON is one attempt to apply the model repository.
type modelRepoAttemptJSON struct {
	Commit   string              `json:"commit"`
	At       time.Time           `json:"at"`
	Result   string              `json:"result"`
	Message  string              `json:"message"`
	Problems []modelrepo.Problem `json:"problems"`
	Changes  []model.Change      `json:"changes"`
}

// modelRepoCheckJSON is what a check did: the attempt it recorded, or null when the branch
// had no new commit.
type modelRepoCheckJSON struct {
	Attempt *modelRepoAttemptJSON `json:"attempt"`
}

func modelRepoOut(s modelrepo.Setting) modelRepoJSON {
	return modelRepoJSON{URL: s.URL, Branch: s.Branch, Path: s.Path, Credential: s.Credential, UpdatedAt: s.UpdatedAt}
}

func attemptOut(a modelrepo.Attempt) modelRepoAttemptJSON {
	out := modelRepoAttemptJSON{Commit: a.Commit, At: a.At, Result: a.Result, Message: a.Message,
		Problems: a.Problems, Changes: a.Changes}
	if out.Problems == nil {
		out.Problems = []modelrepo.Problem{}
	}
	if out.Changes == nil {
		out.Changes = []model.Change{}
	}
	return out
}

// apiGetModelRepo answers the setting, 404 when none is set.
func apiGetModelRepo(repo *modelrepo.Service) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		s, ok, err := repo.Get(r.Context())
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("model repository: %w", fault.ErrNotFound)
		}
		return writeJSON(w, http.StatusOK, modelRepoOut(s))
	}
}

// apiSetModelRepo stores the setting; the watcher reads the repository at once.
func apiSetModelRepo(repo *modelrepo.Service) handlerFunc {
	return apiSave(http.StatusOK, func(r *http.Request, b modelRepoJSON) (modelrepo.Setting, error) {
		set, err := repo.Set(r.Context(), modelrepo.Input{URL: b.URL, Branch: b.Branch, Path: b.Path, Credential: b.Credential})
		if err == nil {
			repo.Wake()
		}
		return set, err
	}, modelRepoOut)
}

// apiClearModelRepo forgets the setting; the model stays as it is.
func apiClearModelRepo(repo *modelrepo.Service) handlerFunc {
	return apiDelete(func(r *http.Request) error { return repo.Clear(r.Context()) })
}

// apiModelRepoAttempts lists the last attempts, newest first.
func apiModelRepoAttempts(repo *modelrepo.Service) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		as, err := repo.Attempts(r.Context(), attemptsShown)
		if err != nil {
			return err
		}
		out := make([]modelRepoAttemptJSON, 0, len(as))
		for _, a := range as {
			out = append(out, attemptOut(a))
		}
		return writeJSON(w, http.StatusOK, out)
	}
}

// apiCheckModelRepo reads the repository now and applies a new commit.
func apiCheckModelRepo(repo *modelrepo.Service) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		a, err := repo.Check(r.Context())
		if err != nil {
			return err
		}
		var out modelRepoCheckJSON
		if a != nil {
			j := attemptOut(*a)
			out.Attempt = &j
		}
		return writeJSON(w, http.StatusOK, out)
	}
}
