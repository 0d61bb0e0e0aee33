package runner_test

import (
	"context"
	"strings"
	"testing"

	"ladder/internal/release"
)

// TestFlowsPromoteTheTriggerValues runs sequential, fan-out and fan-in flows and checks that
// every target repository received the trigger commit's values, and nothing else changed.
func TestFlowsPromoteTheTriggerValues(t *testing.T) {
	shapes := []struct {
		name string
		deps map[string][]string // environment → dependsOn; dev is the trigger
	}{
		{"sequential", map[string][]string{"staging": {"dev"}, "prod": {"staging"}}},
		{"fan-out", map[string][]string{"staging": {"dev"}, "prod-eu": {"staging"}, "prod-us": {"staging"}}},
		{"fan-in", map[string][]string{"qa": {"dev"}, "perf": {"dev"}, "prod": {"qa", "perf"}}},
	}
	for _, shape := range shapes {
		t.Run(shape.name, func(t *testing.T) {
			h := newHarness(t)
			dev := newRepo(t, "dev", "2.0.0")
			envs := []env{{name: "dev", repo: dev}}
			for _, name := range []string{"staging", "qa", "perf", "prod", "prod-eu", "prod-us"} {
				if deps, ok := shape.deps[name]; ok {
					envs = append(envs, env{name: name, repo: newRepo(t, name, "1.0.0"), deps: deps})
				}
			}
			rel := h.start("shop", envs, release.ActionCommit)
			if rel.Version != "2.0.0" {
				t.Errorf("got version %q, want 2.0.0", rel.Version)
			}
			rel = h.wait(rel.ID, "success", status(release.Succeeded))
			for _, e := range envs[1:] {
				wantChart := strings.ReplaceAll(chart, "1.0.0", "2.0.0")
				wantValues := strings.ReplaceAll(values, "1.0.0", "2.0.0")
				if got := e.repo.show("Chart.yaml"); got+"\n" != wantChart {
					t.Errorf("%s Chart.yaml: got %q, want %q", e.name, got, wantChart)
				}
				if got := e.repo.show("values.yaml"); got+"\n" != wantValues {
					t.Errorf("%s values.yaml: got %q, want %q", e.name, got, wantValues)
				}
				if n := e.repo.commits(); n != 2 {
					t.Errorf("%s: got %d commits, want 2 (initial + one promotion)", e.name, n)
				}
				re, _ := rel.Environment(e.name)
				if re.Status != release.Succeeded || re.Applications[0].CommitSHA == "" {
					t.Errorf("%s: got %s with commit %q, want SUCCEEDED with a commit", e.name, re.Status, re.Applications[0].CommitSHA)
				}
			}
		})
	}
}

// TestFailureStopsDownstreamAndRetryResumes: a broken environment fails the release and leaves
// what depends on it PENDING; after the repository is mended, retry finishes the release without
// promoting the environments that had succeeded again.
func TestFailureStopsDownstreamAndRetryResumes(t *testing.T) {
	h := newHarness(t)
	dev, staging, prod := newRepo(t, "dev", "3.0.0"), newRepo(t, "staging", "1.0.0"), newRepo(t, "prod", "1.0.0")
	// staging's values.yaml lacks image.tag: the promotion cannot write it.
	staging.commit("drop the image tag", chart, "image:\n  repository: shop\n")
	stagingCommits := staging.commits()
	rel := h.start("shop", []env{{name: "dev", repo: dev}, {name: "staging", repo: staging, deps: []string{"dev"}},
		{name: "prod", repo: prod, deps: []string{"staging"}}}, release.ActionCommit)
	rel = h.wait(rel.ID, "failure", status(release.Failed))
	st, _ := rel.Environment("staging")
	pr, _ := rel.Environment("prod")
	if st.Status != release.Failed || !strings.Contains(st.Error, "$['image']['tag']: path matches nothing") {
		t.Errorf("staging: got %s %q, want FAILED naming the missing path", st.Status, st.Error)
	}
	if pr.Status != release.Pending {
		t.Errorf("prod: got %s, want PENDING", pr.Status)
	}
	if n := staging.commits(); n != stagingCommits {
		t.Errorf("staging got %d commits after the failure, want %d", n, stagingCommits)
	}

	staging.commit("restore the image tag", chart, values)
	if err := h.runner.Retry(context.Background(), rel.ID, "tester"); err != nil {
		t.Fatalf("retry: %v", err)
	}
	rel = h.wait(rel.ID, "success after retry", status(release.Succeeded))
	if got := prod.show("values.yaml"); !strings.Contains(got, `tag: "3.0.0" # set by CI`) {
		t.Errorf("prod values.yaml after retry: got %q, want tag 3.0.0 with its comment", got)
	}
	devEnv, _ := rel.Environment("dev")
	if devEnv.StartedAt == nil || devEnv.Status != release.Succeeded {
		t.Errorf("dev: got %s, want it kept SUCCEEDED from the first run", devEnv.Status)
	}
}
