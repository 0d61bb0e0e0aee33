package web

import (
	"net/http"
	"strconv"
	"time"

	"ladder/internal/environment"
	"ladder/internal/fault"
	"ladder/internal/user"
	"ladder/views"
)

func listUsers(users *user.Service, now func() time.Time) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		return renderUsers(w, r, users, now, http.StatusOK, views.RuleForm{Permission: string(user.Promote)})
	}
}

func renderUsers(w http.ResponseWriter, r *http.Request, users *user.Service, now func() time.Time, status int, form views.RuleForm) error {
	list, err := users.List(r.Context())
	if err != nil {
		return err
	}
	rules, err := users.Rules(r.Context())
	if err != nil {
		return err
	}
	return render(w, r, status, views.UsersPage(layout(r, "Users", "users"), list, rules, form, now()))
}

func setUserRole(users *user.Service) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := users.SetRole(r.Context(), r.PathValue("name"), user.Role(r.FormValue("role"))); err != nil {
			return err
		}
		return redirect(w, r, "/users")
	}
}

func setUserDisabled(users *user.Service, disabled bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := users.SetDisabled(r.Context(), r.PathValue("name"), disabled); err != nil {
			return err
		}
		return redirect(w, r, "/users")
	}
}

func createRule(users *user.Service, now func() time.Time) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		form := views.RuleForm{Group: r.FormValue("group"), Permission: r.FormValue("permission"),
			Names: r.FormValue("names"), Kind: r.FormValue("kinds")}
		in := user.RuleInput{Group: form.Group, Permission: form.Permission, Names: environment.ParseTags(form.Names)}
		if form.Kind != "" {
			in.Kinds = []string{form.Kind}
		}
		_, err := users.CreateRule(r.Context(), in)
		if fe, ok := fault.Fields(err); ok {
			form.Errors = fe
			if r.Header.Get("HX-Request") == "true" {
				return render(w, r, http.StatusUnprocessableEntity, views.RuleFormCard(form))
			}
			return renderUsers(w, r, users, now, http.StatusUnprocessableEntity, form)
		}
		if err != nil {
			return err
		}
		return redirect(w, r, "/users")
	}
}

func deleteRule(users *user.Service) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil {
			return fault.ErrNotFound
		}
		if err := users.DeleteRule(r.Context(), id); err != nil {
			return err
		}
		return redirect(w, r, "/users")
	}
}
