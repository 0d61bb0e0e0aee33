package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/a-h/templ"

	"ladder/internal/environment"
	"ladder/internal/fault"
	"ladder/internal/freeze"
	"ladder/views"
)

func listEnvironments(envs *environment.Service, windows *freeze.Service, now func() time.Time) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		list, err := envs.List(r.Context())
		if err != nil {
			return err
		}
		wins, err := windows.List(r.Context())
		if err != nil {
			return err
		}
		form := views.EnvironmentForm{Action: "/environments", Kind: environment.KindNonProduction}
		return render(w, r, http.StatusOK, views.EnvironmentsPage(layout(r, "Environments", "environments"),
			views.EnvironmentListView{Envs: list, Windows: wins, Now: now()}, form))
	}
}

func createEnvironment(envs *environment.Service, windows *freeze.Service, now func() time.Time) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		form := environmentFormFrom(r, "/environments")
		_, err := envs.Create(r.Context(), environmentInput(form))
		if fe, ok := fault.Fields(err); ok {
			form.Errors = fe
			return render(w, r, http.StatusUnprocessableEntity, views.EnvironmentFormCard(form))
		}
		if err != nil {
			return err
		}
		if r.Header.Get("HX-Request") != "true" {
			return redirectFlash(w, r, "/environments", "Added environment "+form.Name)
		}
		// The fresh form replaces the submitted one; the list rides along out of band.
		return renderEnvironmentList(w, r, envs, windows, now, views.EnvironmentFormCard(views.EnvironmentForm{
			Action: "/environments", Kind: environment.KindNonProduction}))
	}
}

func showEnvironment(envs *environment.Service, now func() time.Time) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		e, err := envs.Get(r.Context(), r.PathValue("name"))
		if err != nil {
			return err
		}
		return render(w, r, http.StatusOK, views.EnvironmentPage(layout(r, e.Name, "environments"), e,
			views.NewEnvironmentForm(e), views.FreezeForm{Env: e.Name}, now()))
	}
}

func updateEnvironment(envs *environment.Service) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		name := r.PathValue("name")
		form := environmentFormFrom(r, "/environments/"+name)
		form.Editing = true
		e, err := envs.Update(r.Context(), name, environmentInput(form))
		if fe, ok := fault.Fields(err); ok {
			form.Errors = fe
			return render(w, r, http.StatusUnprocessableEntity, views.EnvironmentFormCard(form))
		}
		if err != nil {
			return err
		}
		return redirectFlash(w, r, "/environments/"+e.Name, "Saved environment "+e.Name)
	}
}

func deleteEnvironment(envs *environment.Service, windows *freeze.Service, now func() time.Time) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		err := envs.Delete(r.Context(), r.PathValue("name"))
		if errors.Is(err, fault.ErrConflict) && r.Header.Get("HX-Request") == "true" {
			return renderEnvironmentList(w, r, envs, windows, now, nil, fault.Reason(err))
		}
		if err != nil {
			return err
		}
		if r.Header.Get("HX-Request") != "true" {
			return redirect(w, r, "/environments")
		}
		return renderEnvironmentList(w, r, envs, windows, now, nil)
	}
}

func moveEnvironment(envs *environment.Service, windows *freeze.Service, now func() time.Time) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		by, err := strconv.Atoi(r.URL.Query().Get("by"))
		if err != nil {
			return fault.FieldErrors{"by": "must be a whole number"}
		}
		if err := envs.Move(r.Context(), r.PathValue("name"), by); err != nil {
			return err
		}
		return renderEnvironmentList(w, r, envs, windows, now, nil)
	}
}

func reorderEnvironments(envs *environment.Service, windows *freeze.Service, now func() time.Time) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		order := strings.Split(r.FormValue("order"), ",")
		if err := envs.Reorder(r.Context(), order); err != nil {
			return err
		}
		return renderEnvironmentList(w, r, envs, windows, now, nil)
	}
}

func freezeEnvironment(envs *environment.Service, now func() time.Time) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		name := r.PathValue("name")
		form := views.FreezeForm{Env: name, Reason: r.FormValue("reason"), Until: r.FormValue("until")}
		in := environment.FreezeInput{Reason: form.Reason}
		var err error
		if form.Until != "" {
			until, perr := time.ParseInLocation("2006-01-02T15:04", form.Until, time.UTC)
			if perr != nil {
				err = fault.FieldErrors{"until": "must be a date and time such as 2026-12-24T18:00"}
			}
			in.Until = &until
		}
		if err == nil {
			_, err = envs.Freeze(r.Context(), name, in)
		}
		if fe, ok := fault.Fields(err); ok {
			form.Errors = fe
			e, gerr := envs.Get(r.Context(), name)
			if gerr != nil {
				return gerr
			}
			return render(w, r, http.StatusUnprocessableEntity, views.FreezeFormCard(e, form, now()))
		}
		if err != nil {
			return err
		}
		return redirectFlash(w, r, "/environments/"+name, "Froze environment "+name)
	}
}

func unfreezeEnvironment(envs *environment.Service) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		name := r.PathValue("name")
		if _, err := envs.Unfreeze(r.Context(), name); err != nil {
			return err
		}
		return redirectFlash(w, r, "/environments/"+name, "Unfroze environment "+name)
	}
}

// renderEnvironmentList answers with the environment list, after lead when given (the list
// then swaps out of band).
func renderEnvironmentList(w http.ResponseWriter, r *http.Request, envs *environment.Service, windows *freeze.Service, now func() time.Time, lead templ.Component, notice ...string) error {
	notice = append(notice, "")
	list, err := envs.List(r.Context())
	if err != nil {
		return err
	}
	wins, err := windows.List(r.Context())
	if err != nil {
		return err
	}
	v := views.EnvironmentListView{Envs: list, Windows: wins, Now: now(), Admin: canAdmin(r), Notice: notice[0]}
	if lead == nil {
		return render(w, r, http.StatusOK, views.EnvironmentList(v))
	}
	v.OOB, v.Notice = true, ""
	return render(w, r, http.StatusOK, templ.Join(lead, views.EnvironmentList(v)))
}

func environmentFormFrom(r *http.Request, action string) views.EnvironmentForm {
	return views.EnvironmentForm{
		Action:      action,
		Name:        r.FormValue("name"),
		Kind:        r.FormValue("kind"),
		Tags:        r.FormValue("tags"),
		Description: r.FormValue("description"),
	}
}

func environmentInput(f views.EnvironmentForm) environment.Input {
	return environment.Input{Name: f.Name, Kind: f.Kind, Tags: environment.ParseTags(f.Tags), Description: f.Description}
}
