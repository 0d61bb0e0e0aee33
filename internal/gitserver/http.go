package gitserver

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/cgi"
	"os/exec"
	"strings"
	"sync"
	"time"
)

// Auth is what the HTTP server asks of its clients. With a Token, a request must carry it as
// the password of Basic auth (with User as the username when User is set) or as a bearer
// token; the zero value lets everyone in.
type Auth struct {
	User  string
	Token string
}

// Request is one request the HTTP server received.
type Request struct {
	Op      Op
	Repo    string // the repository's path under the root, e.g. "app.git"
	Service string // git-upload-pack or git-receive-pack
	User    string // the Basic auth username sent, if any
	Status  int    // the status answered; 0 when the reply was dropped or never sent
}

// HTTP is a smart-HTTP Git server: `git http-backend` behind net/http/cgi, serving every bare
// repository under a root directory (pushes allowed), on 127.0.0.1. Its fault switches (Refuse,
// Hang, FailWith, DropReply, OnReceivePack) act on the requests that follow; Heal clears them.
type HTTP struct {
	root string
	auth Auth
	git  string
	addr string

	mu       sync.Mutex
	nice     string // the nice command, once git http-backend runs at the lowest CPU priority
	srv      *http.Server
	hold     *portHold // the port kept while refusing; nil while serving
	conns    map[net.Conn]bool
	faults   faults
	requests []Request
}

// NewHTTP starts a server for the bare repositories under root.
func NewHTTP(root string, auth Auth) (*HTTP, error) {
	gitPath, err := exec.LookPath("git")
	if err != nil {
		return nil, fmt.Errorf("gitserver needs the git command line: %w", err)
	}
	s := &HTTP{root: root, auth: auth, git: gitPath, addr: "127.0.0.1:0"}
	if err := s.listen(); err != nil {
		return nil, err
	}
	return s, nil
}

// listen starts serving on s.addr (a fresh port the first time, the same one afterwards).
func (s *HTTP) listen() error {
	s.mu.Lock()
	s.hold.release()
	s.hold = nil
	s.mu.Unlock()
	l, err := net.Listen("tcp", s.addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: http.HandlerFunc(s.serve), ConnState: s.track}
	s.mu.Lock()
	s.addr, s.srv = l.Addr().String(), srv
	s.mu.Unlock()
	go srv.Serve(l) //nolint:errcheck // returns when closed
	return nil
}

// track keeps the set of open connections, for Refuse.
func (s *HTTP) track(c net.Conn, state http.ConnState) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch state {
	case http.StateNew:
		if s.conns == nil {
			s.conns = map[net.Conn]bool{}
		}
		s.conns[c] = true
	case http.StateClosed, http.StateHijacked:
		delete(s.conns, c)
	}
}

// URL returns the address of the repository named name under the root.
func (s *HTTP) URL(name string) string {
	return "http://" + s.addr + "/" + strings.TrimPrefix(name, "/")
}

// Requests returns the requests received so far, oldest first.
func (s *HTTP) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Refuse closes the listening socket and every open connection: connections are refused until
// Resume is called. The port stays bound (not listening) meanwhile, so that nothing else on the
// machine can take it; Close frees it.
func (s *HTTP) Refuse() {
	s.refuse(true)
}

func (s *HTTP) refuse(keepPort bool) {
	s.mu.Lock()
	srv := s.srv
	s.srv = nil
	s.mu.Unlock()
	if srv == nil {
		return
	}
	if keepPort {
		// Reset rather than close the open connections: a close would leave them in TIME_WAIT
		// on the server's port, which keeps the port from being held.
		s.mu.Lock()
		for c := range s.conns {
			if tc, ok := c.(*net.TCPConn); ok {
				tc.SetLinger(0) //nolint:errcheck // at worst the port is not held
			}
		}
		s.mu.Unlock()
	}
	srv.Close()
	if !keepPort {
		return
	}
	// The listener's socket is closed once its Accept has returned, a moment after Close.
	var hold *portHold
	var err error
	for range 200 {
		if hold, err = holdPort(s.addr); err == nil {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err != nil {
		return // still refusing; only the port may be taken by someone else meanwhile
	}
	s.mu.Lock()
	s.hold = hold
	s.mu.Unlock()
}

// Resume listens again, on the same port, after Refuse.
func (s *HTTP) Resume() error {
	s.mu.Lock()
	up := s.srv != nil
	s.mu.Unlock()
	if up {
		return nil
	}
	return s.listen()
}

// Close releases every held request and stops the server.
func (s *HTTP) Close() {
	s.Heal()
	s.refuse(false)
	s.mu.Lock()
	s.hold.release()
	s.hold = nil
	s.mu.Unlock()
}

// serve answers one request: faults first, then authentication, then git http-backend.
func (s *HTTP) serve(w http.ResponseWriter, r *http.Request) {
	req := parseRequest(r)
	user, _, _ := r.BasicAuth()
	req.User = user
	status := s.answer(w, r, req)
	req.Status = status
	s.mu.Lock()
	s.requests = append(s.requests, req)
	s.mu.Unlock()
}

// answer serves the request and returns the status sent (0 for none).
func (s *HTTP) answer(w http.ResponseWriter, r *http.Request, req Request) int {
	if status := s.faults.failure(req.Op); status != 0 {
		http.Error(w, http.StatusText(status), status)
		return status
	}
	if !s.faults.wait(r.Context(), req.Op) {
		return 0
	}
	if !s.authorized(r) {
		w.Header().Set("WWW-Authenticate", `Basic realm="git"`)
		http.Error(w, "authentication required", http.StatusUnauthorized)
		return http.StatusUnauthorized
	}
	if req.Op == ReceivePack {
		if err := s.faults.beforeReceivePack(s.root + "/" + req.Repo); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return http.StatusInternalServerError
		}
	}
	h := s.backend(req.User)
	if s.faults.drop(req.Op) {
		rec := &discard{header: http.Header{}}
		h.ServeHTTP(rec, r)
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
			}
		}
		return 0
	}
	sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
	h.ServeHTTP(sw, r)
	return sw.status
}

// backend is git http-backend for one request, told who the user is.
func (s *HTTP) backend(user string) *cgi.Handler {
	env := []string{"GIT_PROJECT_ROOT=" + s.root, "GIT_HTTP_EXPORT_ALL=1",
		"GIT_CONFIG_COUNT=1", "GIT_CONFIG_KEY_0=http.receivepack", "GIT_CONFIG_VALUE_0=true"}
	env = append(env, gitEnv...)
	if user != "" {
		env = append(env, "REMOTE_USER="+user)
	}
	s.mu.Lock()
	nice := s.nice
	s.mu.Unlock()
	if nice != "" {
		return &cgi.Handler{Path: nice, Args: []string{"-n", "19", s.git, "http-backend"}, Env: env}
	}
	return &cgi.Handler{Path: s.git, Args: []string{"http-backend"}, Env: env}
}

// LowerPriority runs git http-backend at the lowest CPU priority from now on (nice 19), for a
// load test whose Git host shares the machine with Ladder while it stands for another one.
func (s *HTTP) LowerPriority() error {
	path, err := exec.LookPath("nice")
	if err != nil {
		return fmt.Errorf("lower the Git host's priority: %w", err)
	}
	s.mu.Lock()
	s.nice = path
	s.mu.Unlock()
	return nil
}

// authorized checks the request's credentials against s.auth.
func (s *HTTP) authorized(r *http.Request) bool {
	if s.auth.Token == "" {
		return true
	}
	if tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		return equal(tok, s.auth.Token)
	}
	user, pass, ok := r.BasicAuth()
	if !ok || !equal(pass, s.auth.Token) {
		return false
	}
	return s.auth.User == "" || user == s.auth.User
}

func equal(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

// parseRequest finds the operation and repository a smart-HTTP request is for.
func parseRequest(r *http.Request) Request {
	p := strings.TrimPrefix(r.URL.Path, "/")
	switch {
	case strings.HasSuffix(p, "/info/refs"):
		return Request{Op: Advertise, Repo: strings.TrimSuffix(p, "/info/refs"), Service: r.URL.Query().Get("service")}
	case strings.HasSuffix(p, "/git-upload-pack"):
		return Request{Op: UploadPack, Repo: strings.TrimSuffix(p, "/git-upload-pack"), Service: "git-upload-pack"}
	case strings.HasSuffix(p, "/git-receive-pack"):
		return Request{Op: ReceivePack, Repo: strings.TrimSuffix(p, "/git-receive-pack"), Service: "git-receive-pack"}
	}
	return Request{Op: Other, Repo: p}
}

// statusWriter remembers the status written.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// discard is a ResponseWriter that throws the reply away (DropReply).
type discard struct{ header http.Header }

func (d *discard) Header() http.Header         { return d.header }
func (d *discard) Write(b []byte) (int, error) { return len(b), nil }
func (d *discard) WriteHeader(int)             {}

// errNoCommit is returned when an injected competing push could not be made.
var errNoCommit = errors.New("gitserver: competing push failed")
