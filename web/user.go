package web

import (
	"net/http"
	"time"

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
