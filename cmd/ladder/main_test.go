package main

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestServeWithoutConfiguration builds the binary and runs it the way the README says, with no
// flags: it answers /healthz, keeps its data in ./ladder-data, and stops on SIGTERM within 5 s
// with a log line.
func TestServeWithoutConfiguration(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "ladder")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	cmd := exec.Command(bin)
	cmd.Dir = dir
	cmd.Env = withoutLadderVars(os.Environ())
	if ln, err := net.Listen("tcp", "127.0.0.1:8080"); err != nil {
		// Something else holds the default port on this machine; everything else stays default.
		t.Logf("127.0.0.1:8080 is busy (%v); listening on a free port instead", err)
		cmd.Env = append(cmd.Env, "LADDER_LISTEN=127.0.0.1:0")
	} else {
		ln.Close()
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatalf("start: %v", err)
	}
	defer cmd.Process.Kill()

	lines := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	addr := regexp.MustCompile(`addr=(\S+)`)
	var listen string
	for listen == "" {
		select {
		case line, ok := <-lines:
			if !ok {
				t.Fatal("ladder exited before listening")
			}
			if m := addr.FindStringSubmatch(line); m != nil {
				listen = m[1]
			}
		case <-time.After(30 * time.Second):
			t.Fatal("ladder did not say where it listens within 30 s")
		}
	}

	resp, err := http.Get("http://" + listen + "/healthz")
	if err != nil {
		t.Fatalf("GET /healthz: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET /healthz: got %d %q, want 200", resp.StatusCode, body)
	}
	if _, err := os.Stat(filepath.Join(dir, "ladder-data", "ladder.db")); err != nil {
		t.Errorf("default data directory: %v", err)
	}

	start := time.Now()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	var rest []string
	for line := range lines {
		rest = append(rest, line)
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("exit after SIGTERM: %v", err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("stopping took %s, want at most 5 s", took)
	}
	if log := strings.Join(rest, "\n"); !strings.Contains(log, "shutting down") || !strings.Contains(log, "stopped") {
		t.Errorf("got log after SIGTERM:\n%s\nwant lines saying it is shutting down and stopped", log)
	}
}

func withoutLadderVars(env []string) []string {
	var out []string
	for _, kv := range env {
		if !strings.HasPrefix(kv, "LADDER_") {
			out = append(out, kv)
		}
	}
	return out
}
