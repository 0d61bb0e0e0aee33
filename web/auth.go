package web

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"ladder/internal/auth"
	"ladder/internal/fault"
	"ladder/internal/user"
	"ladder/views"
)

// Auth is what signing in needs: the session cookie, single sign-on when configured, and the
// rate limit on password attempts.
type Auth struct {
	Sessions *auth.Sessions
	OIDC     *auth.OIDC // nil when single sign-on is not configured
	Limiter  *auth.Limiter
}

func showLogin(a Auth, users *user.Service) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		next := safeNext(r.URL.Query().Get("next"))
		if u, ok := signedIn(r); ok && !u.MustChangePassword {
			http.Redirect(w, r, next, http.StatusSeeOther)
			return nil
		}
		return renderLogin(w, r, a, users, http.StatusOK, views.LoginForm{Next: next})
	}
}

func renderLogin(w http.ResponseWriter, r *http.Request, a Auth, users *user.Service, status int, f views.LoginForm) error {
	f.SSO = a.OIDC != nil
	admin, err := users.GetByName(r.Context(), user.LocalAdmin)
	if err != nil && !errors.Is(err, fault.ErrNotFound) {
		return err
	}
	f.Local = err == nil && !admin.Disabled
	return render(w, r, status, views.LoginPage(layout(r, "Sign in", ""), f))
}

// login signs the local admin in with a password. Attempts are limited per client address and
// user name; the answer to a wrong password never says which part was wrong.
func login(a Auth, users *user.Service) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		name, password := strings.TrimSpace(r.FormValue("name")), r.FormValue("password")
		// The name is never shown back: a failed attempt's page is the same whatever was sent.
		f := views.LoginForm{Next: safeNext(r.FormValue("next"))}
		if len(name) > user.MaxNameLength || len(password) > user.MaxPasswordLength {
			name, password = "", "" // no user has an empty name: counted and refused like a wrong password
		}
		key := clientIP(r) + "|" + strings.ToLower(name)
		if ok, wait := a.Limiter.Allow(key); !ok {
			secs := int(wait.Round(time.Second) / time.Second)
			w.Header().Set("Retry-After", strconv.Itoa(secs))
			f.Message = fmt.Sprintf("Too many sign-in attempts. Wait %d seconds, then try again.", secs)
			return renderLogin(w, r, a, users, http.StatusTooManyRequests, f)
		}
		u, err := users.CheckPassword(r.Context(), name, password)
		if errors.Is(err, fault.ErrUnauthenticated) {
			f.Message = "Wrong user name or password."
			return renderLogin(w, r, a, users, http.StatusUnauthorized, f)
		}
		if err != nil {
			return err
		}
		a.Limiter.Reset(key)
		if err := a.Sessions.SignIn(w, r, u.ID, clientIP(r)); err != nil {
			return err
		}
		if u.MustChangePassword {
			return redirect(w, r, "/account/password")
		}
		return redirect(w, r, f.Next)
	}
}

// clientIP is the address the request came from. Forwarding headers are not trusted: they
// are the client's to choose.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// startSignOn sends the browser to the identity provider with a fresh state, nonce and PKCE
// challenge, remembered in the session for the callback. A browser already signed in goes
// straight on: a GET (a link from any site) never ends a session.
func startSignOn(log *slog.Logger, a Auth, users *user.Service) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if a.OIDC == nil {
			return fmt.Errorf("single sign-on is not configured: %w", fault.ErrNotFound)
		}
		next := safeNext(r.URL.Query().Get("next"))
		if _, ok := signedIn(r); ok {
			http.Redirect(w, r, next, http.StatusSeeOther)
			return nil
		}
		flow := auth.NewFlow(next)
		target, err := a.OIDC.AuthURL(r.Context(), flow)
		if errors.Is(err, auth.ErrUnreachable) {
			return providerDown(log, w, r, a, users, err)
		}
		if err != nil {
			return err
		}
		if err := a.Sessions.BeginFlow(w, r, flow); err != nil {
			return err
		}
		http.Redirect(w, r, target, http.StatusFound)
		return nil
	}
}

// finishSignOn is where the identity provider sends the browser back: the state, code, ID
// token and nonce are checked, the user is created or refreshed, and a new session starts.
func finishSignOn(log *slog.Logger, a Auth, users *user.Service) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if a.OIDC == nil {
			return fmt.Errorf("single sign-on is not configured: %w", fault.ErrNotFound)
		}
		refuse := func(status int, msg string) error {
			return renderLogin(w, r, a, users, status, views.LoginForm{Next: "/", Message: msg})
		}
		q := r.URL.Query()
		if e := q.Get("error"); e != "" {
			log.WarnContext(r.Context(), "single sign-on refused by the provider", "error", e)
			return refuse(http.StatusUnauthorized, "The identity provider refused the sign-in ("+e+").")
		}
		flow, err := a.Sessions.Flow(r)
		if err != nil {
			return refuse(http.StatusBadRequest, "This sign-in attempt expired or began in another browser. Please sign in again.")
		}
		claims, err := a.OIDC.Exchange(r.Context(), flow, q.Get("state"), q.Get("code"))
		if errors.Is(err, auth.ErrRefused) && !errors.Is(err, auth.ErrUnreachable) {
			log.WarnContext(r.Context(), "single sign-on refused", "err", err)
			return refuse(http.StatusUnauthorized, "Single sign-on failed: the answer from the identity provider did not check out. Please sign in again.")
		}
		if errors.Is(err, auth.ErrUnreachable) {
			return providerDown(log, w, r, a, users, err)
		}
		if err != nil {
			return err
		}
		u, err := users.SignIn(r.Context(), user.Identity{Subject: claims.Subject, Username: claims.Username,
			Email: claims.Email, Groups: claims.Groups})
		if errors.Is(err, fault.ErrForbidden) {
			return refuse(http.StatusForbidden, "Your Ladder account is disabled. Ask an admin to enable it.")
		}
		if err != nil {
			return err
		}
		if err := a.Sessions.SignIn(w, r, u.ID, clientIP(r)); err != nil {
			return err
		}
		http.Redirect(w, r, safeNext(flow.Next), http.StatusSeeOther)
		return nil
	}
}

// providerDown answers a sign-on the identity provider did not answer: 502, with the local
// sign-in still offered on the page.
func providerDown(log *slog.Logger, w http.ResponseWriter, r *http.Request, a Auth, users *user.Service, err error) error {
	log.WarnContext(r.Context(), "single sign-on provider unreachable", "err", err)
	return renderLogin(w, r, a, users, http.StatusBadGateway, views.LoginForm{Next: "/",
		Message: "The sign-in provider cannot be reached. Try again in a moment, or ask an admin to check single sign-on."})
}

func logout(a Auth) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := a.Sessions.SignOut(w, r); err != nil {
			return err
		}
		return redirect(w, r, "/login")
	}
}

func showPassword(w http.ResponseWriter, r *http.Request) error {
	u, _ := signedIn(r)
	if !u.Local {
		return fmt.Errorf("%s signs in with single sign-on and has no password here: %w", u.Name, fault.ErrNotFound)
	}
	return render(w, r, http.StatusOK, views.PasswordPage(layout(r, "Change password", ""), views.PasswordForm{Forced: u.MustChangePassword}))
}

func changePassword(a Auth, users *user.Service) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		u, _ := signedIn(r)
		if !u.Local {
			return fmt.Errorf("%s has no password here: %w", u.Name, fault.ErrNotFound)
		}
		in := user.PasswordChange{Current: r.FormValue("current"), New: r.FormValue("new"), Confirm: r.FormValue("confirm")}
		err := users.ChangePassword(r.Context(), u.ID, in)
		if fe, ok := fault.Fields(err); ok {
			return render(w, r, http.StatusUnprocessableEntity, views.PasswordFormCard(views.PasswordForm{Forced: u.MustChangePassword, Errors: fe}))
		}
		if err != nil {
			return err
		}
		// A new password ends every session, this one included, and starts a new one.
		if err := a.Sessions.EndAll(r.Context(), u.ID, u.Name, "password changed"); err != nil {
			return err
		}
		if err := a.Sessions.SignIn(w, r, u.ID, clientIP(r)); err != nil {
			return err
		}
		return redirect(w, r, "/")
	}
}
