// Package app wires Ladder together: configuration, the database, the domain services, the
// HTTP server and their lifecycle. It is the only package that knows every other one.
package app

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"time"

	"ladder/db"
	"ladder/internal/broker"
	"ladder/internal/delivery"
	"ladder/internal/environment"
	"ladder/internal/fault"
	"ladder/internal/flow"
	"ladder/internal/freeze"
	"ladder/internal/pin"
	"ladder/internal/policy"
	"ladder/internal/promotion"
	"ladder/internal/release"
	"ladder/internal/runner"
	"ladder/internal/share"
	"ladder/internal/workflow"
	"ladder/web"
)

// Run is Ladder's main: it runs the command named in args[1] (serve when none is given).
func Run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	command, rest := "serve", args[1:]
	if len(rest) > 0 && rest[0] != "" && rest[0][0] != '-' {
		command, rest = rest[0], rest[1:]
	}
	switch command {
	case "serve", "demo":
		cfg, err := parseConfig(command, rest, getenv, stdout)
		if err != nil {
			return err
		}
		ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
		defer stop()
		srv, err := Start(ctx, cfg, stdout)
		if err != nil {
			return err
		}
		return srv.Wait()
	case "token":
		return runToken(ctx, rest, getenv, stdout)
	case "export":
		return runExport(ctx, rest, getenv, stdout)
	case "apply":
		return runApply(ctx, rest, getenv, stdout)
	case "backup":
		return runBackup(ctx, rest, getenv, stdout)
	case "plan":
		return runPlan(ctx, rest, getenv, stdout)
	default:
		return fmt.Errorf("unknown command %q (commands: serve, demo, backup, token, export, apply, plan)", command)
	}
}

// Server is a running Ladder.
type Server struct {
	addr string
	log  *slog.Logger
	done chan error
}

// Addr is the address the server listens on (useful with port 0).
func (s *Server) Addr() string { return s.addr }

// Wait blocks until the server has shut down and returns why it stopped, nil after a clean
// shutdown.
func (s *Server) Wait() error { return <-s.done }

// Start opens the data directory and database, starts the HTTP server and returns once it
// listens. Cancelling ctx shuts it down gracefully; Wait reports the end.
func Start(ctx context.Context, cfg Config, logOut io.Writer) (*Server, error) {
	log := newLogger(cfg, logOut)
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	unlock, err := lockDataDir(cfg.DataDir)
	if err != nil {
		return nil, err
	}
	started := false
	defer func() {
		if !started {
			unlock()
		}
	}()
	conn, err := db.Open(ctx, filepath.Join(cfg.DataDir, "ladder.db"))
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("listen on %s: %w", cfg.Listen, err)
	}
	// The public URL is resolved once, against the port really listened on, for every part
	// that makes links (sign-in callback, notifications, steps' RELEASE_URL).
	cfg.PublicURL = publicURL(cfg, ln.Addr().String())
	b := base{conn: conn, check: fault.NewValidator(), now: time.Now}
	model, err := newModelServices(cfg, b)
	if err == nil {
		err = model.notify.SealStored(ctx)
	}
	if err != nil {
		ln.Close()
		conn.Close()
		return nil, err
	}
	var ready atomic.Bool
	svc := withModel(services(b, ready.Load), model)
	svc.Model = modelOf(b, svc)
	svc.Model.Secrets = cfg.Getenv
	svc.DiskFree = func() (uint64, error) { return diskFree(cfg.DataDir) }
	if err := withAuth(ctx, cfg, b, &svc, ln.Addr().String(), logOut); err != nil {
		ln.Close()
		conn.Close()
		return nil, err
	}
	if cfg.Demo {
		if err := seedDemo(ctx, cfg, &svc, model, ln.Addr().String(), logOut); err != nil {
			ln.Close()
			conn.Close()
			return nil, err
		}
	}
	closing := make(chan struct{})
	svc.Closing = closing
	svc.Metrics = newMetrics(conn, &svc, log)
	runCtx, stopRunner := context.WithCancel(context.Background())
	run := startRunner(runCtx, conn, &svc, model, log, cfg.PublicURL)
	notifier := startNotifier(runCtx, &svc, cfg, log)
	triggers := startTrigger(runCtx, cfg, conn, &svc, model, log)
	modelRepo := startModelRepo(runCtx, cfg, b, &svc, model, log)
	handler := web.NewHandler(log, svc)
	httpSrv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		WriteTimeout:      60 * time.Second, // event streams lift this per request
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	httpSrv.RegisterOnShutdown(func() { close(closing) })
	s := &Server{addr: ln.Addr().String(), log: log, done: make(chan error, 1)}
	serveErr := make(chan error, 1)
	go func() { serveErr <- httpSrv.Serve(ln) }()
	ready.Store(true)
	started = true
	log.Info("ladder is listening", "addr", s.addr, "url", cfg.PublicURL, "data", cfg.DataDir)
	go func() {
		err := s.run(ctx, httpSrv, serveErr)
		stopRunner() // running steps stop at their next safe point; their jobs resume after a restart
		run.Wait()
		notifier.Wait()
		triggers.Wait()
		modelRepo.Wait()
		if cerr := conn.Close(); cerr != nil && err == nil {
			err = cerr
		}
		unlock()
		s.log.Info("stopped")
		s.done <- err
	}()
	return s, nil
}

// run waits for the end (ctx cancelled or the listener failing) and shuts down in order.
func (s *Server) run(ctx context.Context, httpSrv *http.Server, serveErr chan error) error {
	var err error
	select {
	case <-ctx.Done():
		s.log.Info("shutting down", "reason", context.Cause(ctx))
	case err = <-serveErr:
		s.log.Error("http server stopped", "err", err)
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 4*time.Second)
	defer cancel()
	if serr := httpSrv.Shutdown(shutdownCtx); serr != nil {
		s.log.Warn("forcing open connections closed", "err", serr)
		_ = httpSrv.Close()
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// startRunner starts the release runner on the Git store the model services share, and adds
// the release services to svc.
func startRunner(ctx context.Context, conn *sql.DB, svc *web.Services, model modelServices, log *slog.Logger, publicURL string) *runner.Runner {
	b := broker.New()
	rels := release.NewService(conn, b, svc.Now)
	answers := runnerModel{envs: svc.Environments, windows: svc.Windows, products: model.products, creds: model.creds, pins: svc.Pins}
	run := runner.New(conn, rels, timed(model.git, svc.Metrics), answers, log, svc.Now, runner.Options{Workflows: svc.Workflows, PublicURL: publicURL,
		Deploy: deployOptions(model), Secrets: model.secrets.Value})
	run.StartWorkers(ctx)
	svc.Releases, svc.Runner, svc.Broker = rels, run, b
	plan := &promotion.Planner{Products: model.products, Applications: model.apps, Flows: svc.Flows,
		Policies: svc.Policies, Environments: svc.Environments, Credentials: model.creds, Git: model.git,
		Workflows: svc.Workflows, Windows: svc.Windows}
	svc.Promotions = promotion.NewService(plan, rels, run, svc.Users, svc.Pins)
	return run
}

// base is what every service is built on: the database, the one validator and the clock.
type base struct {
	conn  *sql.DB
	check *fault.Validator
	now   func() time.Time
}

func services(b base, ready func() bool) web.Services {
	conn, check, now := b.conn, b.check, b.now
	envs := environment.NewService(conn, check, now)
	policies := policy.NewService(conn, check, now)
	return web.Services{
		Environments: envs,
		Workflows:    workflow.NewService(conn, check, now),
		Policies:     policies,
		Windows:      freeze.NewService(conn, check, now),
		Flows:        flow.NewService(conn, check, now, envs, policies),
		Shares:       share.NewService(conn, now),
		Pins:         pin.NewService(conn, check, now),
		Delivery:     delivery.NewService(conn, now),
		Now:          now,
		Version:      db.Version(conn),
		Ready:        ready,
	}
}

// diskFree is the space an unprivileged process may still use on the disk holding dir.
func diskFree(dir string) (uint64, error) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return 0, err
	}
	return st.Bavail * uint64(st.Bsize), nil
}
