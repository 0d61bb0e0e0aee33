package fakeargocd

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
)

// Server is a fake Argo CD API server. Its own namespace is "argocd"; applications in other
// namespaces are found only with appNamespace, as application.go's appNamespaceOrDefault does.
type Server struct {
	*httptest.Server
	Token string

	mu        sync.Mutex
	apps      map[string]*Application // by namespace/name
	refreshes map[string]int
	gets      map[string]int
	syncs     map[string]int
	version   int
}

// Namespace is the fake Argo CD's own namespace.
const Namespace = "argocd"

// New starts a fake Argo CD that accepts token as a bearer token.
func New(t testing.TB, token string) *Server {
	f := &Server{Token: token, apps: map[string]*Application{}, refreshes: map[string]int{},
		gets: map[string]int{}, syncs: map[string]int{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/applications", f.auth(f.list))
	mux.HandleFunc("GET /api/v1/applications/{name}", f.auth(f.get))
	mux.HandleFunc("POST /api/v1/applications/{name}/sync", f.auth(f.sync))
	mux.HandleFunc("GET /api/v1/session/userinfo", f.auth(func(w http.ResponseWriter, _ *http.Request) {
		write(w, http.StatusOK, map[string]any{"loggedIn": true, "username": "ladder", "iss": "argocd"})
	}))
	mux.HandleFunc("GET /api/version", func(w http.ResponseWriter, _ *http.Request) {
		write(w, http.StatusOK, map[string]any{"Version": "v3.5.0+fake"})
	})
	f.Server = httptest.NewServer(mux)
	t.Cleanup(f.Close)
	return f
}

// grpcError writes an error as grpc-gateway does for a gRPC status: HTTP status from the code,
// body {"error", "code", "message"}.
func grpcError(w http.ResponseWriter, httpStatus, code int, msg string) {
	write(w, httpStatus, map[string]any{"error": msg, "code": code, "message": msg, "details": []any{}})
}

func write(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// auth answers 401 Unauthenticated (code 16) to a request without the token, as Argo CD's
// session manager does for an invalid token.
func (f *Server) auth(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+f.Token {
			grpcError(w, http.StatusUnauthorized, 16, "invalid session: token signature is invalid")
			return
		}
		next(w, r)
	}
}

// find looks an application up as getAppEnforceRBAC does: one that does not exist in the
// namespace asked (Argo CD's own by default) is "permission denied" (403, code 7) when no
// project is given, 404 (code 5) when one is.
func (f *Server) find(w http.ResponseWriter, r *http.Request, name, ns string) *Application {
	if strings.Contains(r.URL.EscapedPath(), "%2F") {
		// grpc-gateway unescapes the path before routing: the name becomes two segments and no
		// route matches.
		grpcError(w, http.StatusNotFound, 5, "Not Found")
		return nil
	}
	if ns == "" {
		ns = Namespace
	}
	a := f.apps[ns+"/"+name]
	project := r.URL.Query().Get("project")
	switch {
	case a != nil && (project == "" || project == a.Spec.Project):
		return a
	case project != "":
		grpcError(w, http.StatusNotFound, 5, `applications.argoproj.io "`+name+`" not found`)
	default:
		grpcError(w, http.StatusForbidden, 7, "permission denied")
	}
	return nil
}

func (f *Server) get(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	a := f.find(w, r, r.PathValue("name"), r.URL.Query().Get("appNamespace"))
	if a == nil {
		return
	}
	key := a.Metadata.Namespace + "/" + a.Metadata.Name
	f.gets[key]++
	if r.URL.Query().Has("refresh") {
		f.refreshes[key]++
	}
	write(w, http.StatusOK, a)
}

// list serves GET /api/v1/applications: projects, appNamespace and an equality label
// selector, as application.go's List filters.
func (f *Server) list(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	q := r.URL.Query()
	sel, err := parseSelector(q.Get("selector"))
	if err != nil {
		grpcError(w, http.StatusInternalServerError, 2, "error parsing the selector: "+err.Error())
		return
	}
	projects, ns := q["projects"], q.Get("appNamespace")
	items := []*Application{}
	for _, key := range f.keys() {
		a := f.apps[key]
		if (len(projects) == 0 || slices.Contains(projects, a.Spec.Project)) &&
			(ns == "" || a.Metadata.Namespace == ns) && sel.matches(a.Metadata.Labels) {
			items = append(items, a)
		}
	}
	write(w, http.StatusOK, map[string]any{"metadata": map[string]any{"resourceVersion": "1"}, "items": items})
}

// sync serves POST /api/v1/applications/{name}/sync: with an operation running it refuses as
// util/argo's ErrAnotherOperationInProgress (FailedPrecondition, 400); else it starts one.
func (f *Server) sync(w http.ResponseWriter, r *http.Request) {
	var body struct {
		AppNamespace string `json:"appNamespace"`
		Revision     string `json:"revision"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		grpcError(w, http.StatusBadRequest, 3, err.Error())
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	a := f.find(w, r, r.PathValue("name"), body.AppNamespace)
	if a == nil {
		return
	}
	if op := a.Status.OperationState; op != nil && op.Phase == "Running" {
		grpcError(w, http.StatusBadRequest, 9, "another operation is already in progress")
		return
	}
	f.syncs[a.Metadata.Namespace+"/"+a.Metadata.Name]++
	op := &OperationState{Phase: "Running", Message: "", StartedAt: "2026-01-01T00:00:00Z"}
	op.Operation.Sync = &SyncOperation{Revision: body.Revision}
	a.Status.OperationState = op
	write(w, http.StatusOK, a)
}

func (f *Server) keys() []string {
	keys := make([]string, 0, len(f.apps))
	for k := range f.apps {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
