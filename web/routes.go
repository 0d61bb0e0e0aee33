package web

import (
	"log/slog"
	"net/http"
	"time"

	"ladder/internal/environment"
	"ladder/static"
)

// Services are the domain services the handlers call.
type Services struct {
	Environments *environment.Service
	Now          func() time.Time
	Ready        func() bool
}

// access is who may call a route.
type access int

const (
	public   access = iota // anyone, signed in or not
	viewer                 // any signed-in user
	promoter               // promoters and admins
	admin                  // admins only
)

// route is one entry of the routing table.
type route struct {
	pattern string
	access  access
	handler http.Handler
}

// routes is every URL Ladder serves, on one screen. Each route names who may call it.
func routes(log *slog.Logger, s Services) []route {
	h := func(fn handlerFunc) http.Handler { return errorHandler(log, fn) }
	envs, now := s.Environments, s.Now
	return []route{
		{"GET /healthz", public, h(healthz)},
		{"GET /readyz", public, h(readyz(s.Ready))},
		{"GET /static/", public, static.Handler()},
		{"GET /{$}", viewer, h(home)},

		{"GET /environments", viewer, h(listEnvironments(envs, now))},
		{"POST /environments", admin, h(createEnvironment(envs, now))},
		{"POST /environments/order", admin, h(reorderEnvironments(envs, now))},
		{"GET /environments/{name}", viewer, h(showEnvironment(envs, now))},
		{"POST /environments/{name}", admin, h(updateEnvironment(envs))},
		{"POST /environments/{name}/delete", admin, h(deleteEnvironment(envs, now))},
		{"POST /environments/{name}/move", admin, h(moveEnvironment(envs, now))},
		{"POST /environments/{name}/freeze", admin, h(freezeEnvironment(envs, now))},
		{"POST /environments/{name}/unfreeze", admin, h(unfreezeEnvironment(envs))},
	}
}
