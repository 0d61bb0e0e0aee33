package web

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"ladder/internal/fault"
	"ladder/internal/user"
	"ladder/views"
)

// showAccount is the signed-in user's own page: who they are and where they are signed in.
func showAccount(a Auth, now func() time.Time) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		u, _ := signedIn(r)
		if u.ID == 0 {
			return fmt.Errorf("an API token has no account page: %w", fault.ErrNotFound)
		}
		sessions, err := a.Sessions.List(r, u.ID)
		if err != nil {
			return err
		}
		return render(w, r, http.StatusOK, views.AccountPage(layout(r, "Your account", ""), u, sessions, now()))
	}
}

// endSession ends one of the signed-in user's own sessions.
func endSession(a Auth) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		u, _ := signedIn(r)
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil || u.ID == 0 {
			return fmt.Errorf("session %q: %w", r.PathValue("id"), fault.ErrNotFound)
		}
		if err := a.Sessions.End(r.Context(), u.ID, id); err != nil {
			return err
		}
		return redirect(w, r, "/account")
	}
}

// endOtherSessions signs the user out everywhere but in this browser.
func endOtherSessions(a Auth) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		u, _ := signedIn(r)
		if u.ID == 0 {
			return fmt.Errorf("an API token has no sessions: %w", fault.ErrNotFound)
		}
		if err := a.Sessions.EndOthers(r, u.ID); err != nil {
			return err
		}
		return redirect(w, r, "/account")
	}
}

// signOutEverywhere is an admin ending every session of the user called name.
func signOutEverywhere(a Auth, users *user.Service) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		u, err := users.GetByName(r.Context(), r.PathValue("name"))
		if err != nil {
			return err
		}
		if err := a.Sessions.EndAll(r.Context(), u.ID, u.Name, "signed out everywhere by an admin"); err != nil {
			return err
		}
		return redirect(w, r, "/users")
	}
}
