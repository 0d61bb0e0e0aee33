package runner

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"

	"ladder/internal/workflow"
)

// killGrace is how long a cancelled command's process group has between SIGTERM and SIGKILL.
const killGrace = 800 * time.Millisecond

// execStep runs a command on the server, in its own process group, with the parameters as its
// environment and a fresh working directory. Its output is the step's log; key=value lines it
// writes to the file named by $LADDER_OUTPUT become outputs.
type execStep struct{ spec *workflow.ExecStep }

func (e execStep) run(ctx context.Context, c *stepCall) stepResult {
	limit := e.spec.TimeoutOr(time.Until(c.deadline))
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	dir, err := os.MkdirTemp("", "ladder-step-")
	if err != nil {
		return failed("create a working directory: %v", err)
	}
	defer os.RemoveAll(dir)
	outFile := filepath.Join(dir, ".ladder-output")
	if err := os.WriteFile(outFile, nil, 0o600); err != nil {
		return failed("create the output file: %v", err)
	}
	env, err := e.environ(ctx, c, outFile)
	if err != nil {
		return failed("%v", err)
	}
	cmd := exec.CommandContext(ctx, e.spec.Command, e.spec.Args...)
	cmd.Dir, cmd.Stdout, cmd.Stderr = dir, c.log, c.log
	cmd.Env = env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return killGroup(cmd.Process.Pid) }
	cmd.WaitDelay = 2 * killGrace // output pipes held by orphans do not keep Wait waiting
	start := time.Now()
	err = cmd.Run()
	switch {
	case ctx.Err() != nil && errors.Is(context.Cause(ctx), context.DeadlineExceeded) && limit < time.Until(c.deadline):
		return failed("timed out after %s", limit)
	case ctx.Err() != nil:
		return failed("stopped: %v", context.Cause(ctx)) // the caller tells termination and timeout apart
	case err != nil:
		return failed("%s: %v", e.spec.Command, err)
	}
	c.log.Printf("[exited 0 after %s]", time.Since(start).Round(time.Millisecond))
	raw, err := os.ReadFile(outFile)
	if err != nil {
		return failed("read $LADDER_OUTPUT: %v", err)
	}
	outputs, err := parseOutputs(string(raw))
	if err != nil {
		return failed("$LADDER_OUTPUT: %v", err)
	}
	return succeeded(outputs)
}

// environ is the command's environment: the parameters, the step's own variables (which may
// use workflow secrets) and LADDER_OUTPUT.
func (e execStep) environ(ctx context.Context, c *stepCall, outFile string) ([]string, error) {
	env := c.params.environ()
	secrets := c.secrets(ctx)
	for _, v := range e.spec.Env {
		val, err := c.params.renderSecret("env "+v.Name, v.Value, secrets)
		if err != nil {
			return nil, err
		}
		env = append(env, v.Name+"="+val)
	}
	return append(env, "LADDER_OUTPUT="+outFile), nil
}

// killGroup asks the command's whole process group to stop, and kills it when it has not
// stopped after killGrace.
func killGroup(pid int) error {
	err := syscall.Kill(-pid, syscall.SIGTERM)
	time.AfterFunc(killGrace, func() { _ = syscall.Kill(-pid, syscall.SIGKILL) })
	if err != nil {
		return fmt.Errorf("signal process group %d: %w", pid, err)
	}
	return nil
}
