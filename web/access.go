package web

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"unicode"

	"ladder/internal/audit"
	"ladder/internal/fault"
	"ladder/internal/user"
)

// minRole is the least role that may call a route of access level a; public routes need none.
func (a access) minRole() (user.Role, bool) {
	switch a {
	case viewer:
		return user.Viewer, true
	case promoter:
		return user.Promoter, true
	case admin:
		return user.Admin, true
	}
	return "", false
}

// String names the access level, for tests and logs.
func (a access) String() string {
	if a == public {
		return "public"
	}
	if r, ok := a.minRole(); ok {
		return string(r)
	}
	return "undecided"
}

type userKey struct{}

// signedIn returns the user (or API token) the request acts as.
func signedIn(r *http.Request) (user.User, bool) {
	u, ok := r.Context().Value(userKey{}).(user.User)
	return u, ok
}

// canAdmin reports whether the request comes from an admin, for pages that hide what others
// may not do.
func canAdmin(r *http.Request) bool {
	u, ok := signedIn(r)
	return ok && u.Role() == user.Admin
}

// passwordChangePaths stay reachable while a user must change their password first.
var passwordChangePaths = map[string]bool{"/account/password": true, "/logout": true}

// guard enforces each route's access level. It finds who is calling — an API token in an
// `Authorization: Bearer` header, else the session cookie — and puts them into the request
// context (and names them as the actor of audit records). Anonymous callers of a non-public
// route are sent to the sign-in page (or answered 401 for the API and htmx); signed-in users
// with too low a role get 403; a user who must change their password is sent to do so first.
func guard(log *slog.Logger, s Services) func(access, http.Handler) http.Handler {
	forbidden := errorHandler(log, func(http.ResponseWriter, *http.Request) error { return fault.ErrForbidden })
	return func(level access, next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			u, err := identify(w, r, s)
			if err != nil && !errors.Is(err, fault.ErrUnauthenticated) {
				log.ErrorContext(r.Context(), "identify caller", "path", r.URL.Path, "err", err)
				http.Error(w, "Internal Server Error", http.StatusInternalServerError)
				return
			}
			if err == nil {
				ctx := context.WithValue(r.Context(), userKey{}, u)
				r = r.WithContext(audit.WithActor(ctx, u.Name))
			}
			if level == public {
				next.ServeHTTP(w, r)
				return
			}
			min, known := level.minRole()
			switch {
			case !known:
				forbidden.ServeHTTP(w, r) // a route without a decision is closed to everyone
			case err != nil:
				refuseAnonymous(w, r)
			case u.MustChangePassword && !passwordChangePaths[r.URL.Path]:
				_ = redirect(w, r, "/account/password")
			case !u.Role().AtLeast(min):
				forbidden.ServeHTTP(w, r)
			default:
				next.ServeHTTP(w, r)
			}
		})
	}
}

// identify returns who calls: ErrUnauthenticated when nobody (or a wrong token), another
// error when the lookup itself failed.
func identify(w http.ResponseWriter, r *http.Request, s Services) (user.User, error) {
	if h := r.Header.Get("Authorization"); h != "" {
		secret, ok := strings.CutPrefix(h, "Bearer ")
		if !ok {
			return user.User{}, fault.ErrUnauthenticated
		}
		t, err := s.Tokens.Authenticate(r.Context(), strings.TrimSpace(secret))
		if err != nil {
			return user.User{}, err
		}
		return user.User{Name: "token:" + t.Name, GroupRole: user.Role(t.Role)}, nil
	}
	id, ok := s.Auth.Sessions.UserID(w, r)
	if !ok {
		return user.User{}, fault.ErrUnauthenticated
	}
	u, err := s.Users.Get(r.Context(), id)
	if errors.Is(err, fault.ErrNotFound) || (err == nil && u.Disabled) {
		_ = s.Auth.Sessions.SignOut(w, r)
		return user.User{}, fault.ErrUnauthenticated
	}
	return u, err
}

// refuseAnonymous answers a caller who is not signed in: 401 for the API, htmx and callers
// that sent credentials, a redirect to the sign-in page for browsers.
func refuseAnonymous(w http.ResponseWriter, r *http.Request) {
	if isAPI(r) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="ladder"`)
		_ = writeJSON(w, http.StatusUnauthorized, apiError{Error: "please sign in or send a bearer token"})
		return
	}
	htmx := r.Header.Get("HX-Request") == "true"
	if strings.HasPrefix(r.URL.Path, "/api/") || htmx || r.Header.Get("Authorization") != "" {
		if htmx {
			w.Header().Set("HX-Redirect", "/login")
		}
		w.Header().Set("WWW-Authenticate", `Bearer realm="ladder"`)
		http.Error(w, "Please sign in.", http.StatusUnauthorized)
		return
	}
	next := "/" // a form sent without a session cannot be replayed after signing in
	if r.Method == http.MethodGet {
		next = r.URL.RequestURI()
	}
	http.Redirect(w, r, "/login?next="+url.QueryEscape(next), http.StatusSeeOther)
}

// safeNext returns next when it is a path on this site, "/" otherwise, so the sign-in page
// cannot be used to send people elsewhere. Browsers drop tabs and newlines from URLs and read
// a backslash as a slash, so "/\t/evil.example" is a link to another host: a next holding
// control characters or a backslash, or one that does not parse to a bare path, is refused.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") ||
		strings.ContainsAny(next, "\\") || strings.ContainsFunc(next, unicode.IsControl) {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || strings.HasPrefix(u.Path, "//") {
		return "/"
	}
	return next
}
