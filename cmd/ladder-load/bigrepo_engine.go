package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"ladder/internal/gitops"
	"ladder/internal/gitserver"
)

// engineConfig is what the bigrepo scenario tells its engine child.
type engineConfig struct {
	Store   string        `json:"store"`
	DevURL  string        `json:"dev_url"`
	DevDir  string        `json:"dev_dir"`
	Token   string        `json:"token"`
	Targets []string      `json:"targets"`
	Warm    int           `json:"warm"`
	Settle  time.Duration `json:"settle"`
}

// engineReport is what the engine child measured.
type engineReport struct {
	Cold   runStats    `json:"cold"`
	Warm   []runStats  `json:"warm"`
	Others []runStats  `json:"others"`
	Settle []rssSample `json:"settle"`
}

// rssSample is the child's resident memory some seconds after its last promotion.
type rssSample struct {
	After float64 `json:"after"`
	RSSMB float64 `json:"rss_mb"`
}

// bigRepoEngine is the engine child: one cold and cfg.Warm warm promotions into the first
// target, one cold promotion into each other target, then its memory every 5 s for cfg.Settle.
// It prints an engineReport as JSON.
func bigRepoEngine(ctx context.Context, arg string) error {
	var cfg engineConfig
	if err := json.Unmarshal([]byte(arg), &cfg); err != nil {
		return err
	}
	store := gitops.NewStore(cfg.Store)
	creds := gitops.Credentials{Name: "bigrepo", Username: "ci", Token: cfg.Token}
	n := 0
	promote := func(target string) (runStats, error) {
		n++
		version := fmt.Sprintf("1.0.%d", n)
		if _, err := gitserver.Commit(cfg.DevDir, "main", "bump "+version, devFiles(version)); err != nil {
			return runStats{}, err
		}
		os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) // resets VmHWM
		start := time.Now()
		_, err := store.Promote(ctx, gitops.PromoteRequest{
			Source: gitops.Remote{URL: cfg.DevURL, Credentials: creds}, SourceBranch: "main", SourcePath: "shop",
			Target: gitops.Remote{URL: target, Credentials: creds}, TargetBranch: "main", TargetPath: "apps/shop",
			Template: bigTemplate, Product: "shop", Version: version, ReleaseNumber: n, SourceEnv: "dev", TargetEnv: "prod"})
		return runStats{Seconds: time.Since(start).Seconds(), PeakMB: statusMB("VmHWM")}, err
	}
	var rep engineReport
	var err error
	if rep.Cold, err = promote(cfg.Targets[0]); err != nil {
		return err
	}
	for range cfg.Warm {
		w, err := promote(cfg.Targets[0])
		if err != nil {
			return err
		}
		rep.Warm = append(rep.Warm, w)
	}
	for _, target := range cfg.Targets[1:] {
		o, err := promote(target)
		if err != nil {
			return err
		}
		rep.Others = append(rep.Others, o)
	}
	start := time.Now()
	for {
		after := time.Since(start)
		rep.Settle = append(rep.Settle, rssSample{After: after.Seconds(), RSSMB: statusMB("VmRSS")})
		if after >= cfg.Settle {
			break
		}
		time.Sleep(min(5*time.Second, cfg.Settle-after))
	}
	return json.NewEncoder(os.Stdout).Encode(rep)
}

// bigTemplate promotes the application's version and image tag.
var bigTemplate = gitops.Template{
	VersionSource: gitops.VersionSource{File: "Chart.yaml", JSONPath: "$.appVersion"},
	Entries: []gitops.Entry{
		{File: "Chart.yaml", JSONPaths: []string{"$.appVersion"}},
		{File: "values.yaml", JSONPaths: []string{"$.image.tag"}},
	},
}

// statusMB reads a memory line (VmRSS, VmHWM) of this process's /proc status in MB.
func statusMB(field string) float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 64)
			return kb / 1024
		}
	}
	return 0
}
