package loadtest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// Launcher starts Ladder processes, one at a time, on one data directory and address.
type Launcher struct {
	Command []string  // the program and any leading arguments; "serve …" is appended
	DataDir string    // the data directory every process uses
	Addr    string    // host:port every process listens on
	Log     io.Writer // receives the processes' output (nil discards it)
	Env     []string  // extra environment variables
}

// Server is one running Ladder process.
type Server struct {
	Base   string // the base URL, http://Addr
	cmd    *exec.Cmd
	exited chan struct{}
}

// FreeAddr returns a 127.0.0.1 address with a port that was free a moment ago.
func FreeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// Start runs a Ladder process and returns once its /readyz answers 200.
func (l *Launcher) Start(ctx context.Context) (*Server, error) {
	args := append(append([]string{}, l.Command[1:]...), "serve", "--listen", l.Addr, "--data", l.DataDir)
	cmd := exec.Command(l.Command[0], args...)
	cmd.Env = append(os.Environ(), "LADDER_ADMIN_PASSWORD=crash-test-admin-password", "LADDER_POLL_INTERVAL=1h")
	cmd.Env = append(cmd.Env, l.Env...)
	cmd.Stdout, cmd.Stderr = l.Log, l.Log
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start ladder: %w", err)
	}
	s := &Server{Base: "http://" + l.Addr, cmd: cmd, exited: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		close(s.exited)
	}()
	if err := s.waitReady(ctx, 30*time.Second); err != nil {
		_ = s.Kill()
		return nil, err
	}
	return s, nil
}

func (s *Server) waitReady(ctx context.Context, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	client := &http.Client{Timeout: time.Second}
	for time.Now().Before(deadline) {
		select {
		case <-s.exited:
			return errors.New("ladder exited before it was ready")
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
		resp, err := client.Get(s.Base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(2 * time.Millisecond)
	}
	return fmt.Errorf("ladder was not ready within %s", limit)
}

// Pid is the process ID.
func (s *Server) Pid() int { return s.cmd.Process.Pid }

// Kill sends SIGKILL and waits until the process is gone.
func (s *Server) Kill() error {
	if err := s.cmd.Process.Signal(syscall.SIGKILL); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return err
	}
	<-s.exited
	return nil
}

// Stop sends SIGTERM and waits up to limit for the process to end, then kills it.
func (s *Server) Stop(limit time.Duration) error {
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return err
	}
	select {
	case <-s.exited:
		return nil
	case <-time.After(limit):
		_ = s.Kill()
		return fmt.Errorf("ladder did not stop within %s of SIGTERM", limit)
	}
}

// CreateToken runs `ladder token create` for an admin token and returns the token.
func CreateToken(command []string, dataDir, name string) (string, error) {
	args := append(append([]string{}, command[1:]...), "token", "create", "--name", name, "--role", "admin", "--data", dataDir)
	out, err := exec.Command(command[0], args...).Output()
	if err != nil {
		return "", fmt.Errorf("ladder token create: %w", err)
	}
	return strings.TrimSpace(string(out)), nil
}
