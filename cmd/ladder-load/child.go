package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"ladder/db"
	"ladder/internal/environment"
	"ladder/internal/fault"
	"ladder/internal/loadtest"
)

// launcher returns a Launcher that runs this program's serve command on dataDir, logging to
// dataDir/ladder.log.
func launcher(dataDir string) (*loadtest.Launcher, io.Closer, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, nil, err
	}
	addr, err := loadtest.FreeAddr()
	if err != nil {
		return nil, nil, err
	}
	log, err := os.OpenFile(filepath.Join(dataDir, "ladder.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, nil, err
	}
	return &loadtest.Launcher{Command: []string{self}, DataDir: dataDir, Addr: addr, Log: log,
		Env: []string{"LADDER_LOG_LEVEL=warn"}}, log, nil
}

// rss returns the resident memory of process pid in bytes.
func rss(pid int) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb * 1024, err
		}
	}
	return 0, fmt.Errorf("no VmRSS for process %d", pid)
}

// raiseFileLimit lifts this process's open-file limit to its hard limit (children inherit it).
func raiseFileLimit() (uint64, error) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0, err
	}
	lim.Cur = lim.Max
	return lim.Cur, syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim)
}

// seedModel builds products on real repositories with loadtest.Seed, creates an admin
// token and freezes the environments in frozen.
func seedModel(ctx context.Context, dir string, products, envs, frozen []string) (string, loadtest.Model, string, error) {
	data := filepath.Join(dir, "data")
	repos := filepath.Join(dir, "repos")
	if err := os.MkdirAll(repos, 0o700); err != nil {
		return "", loadtest.Model{}, "", err
	}
	m, err := loadtest.Seed(ctx, data, repos, products, envs, nil)
	if err != nil {
		return "", m, "", err
	}
	conn, err := db.Open(ctx, filepath.Join(data, "ladder.db"))
	if err != nil {
		return "", m, "", err
	}
	defer conn.Close()
	for _, e := range frozen {
		if _, err := environment.NewService(conn, fault.NewValidator(), time.Now).Freeze(ctx, e, environment.FreezeInput{Reason: "load test"}); err != nil {
			return "", m, "", err
		}
	}
	secret, err := loadtest.AdminToken(ctx, conn)
	return data, m, secret, err
}
