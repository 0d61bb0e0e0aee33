package gitops

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// TestDamagedCloneIsMadeAgain: a process killed while go-git rewrote a ref file of its cached
// clone leaves the file empty; the next read must clone again rather than fail for good.
func TestDamagedCloneIsMadeAgain(t *testing.T) {
	ctx := context.Background()
	src := newFixtureRepo(t, map[string]string{"Chart.yaml": "appVersion: \"1.0.0\"\n"})
	s := NewStore(t.TempDir())
	vs := VersionSource{File: "Chart.yaml", JSONPath: "$.appVersion"}
	if _, err := s.ReadVersion(ctx, src.remote(), "main", ".", "", vs); err != nil {
		t.Fatalf("first read: %v", err)
	}
	refs, err := filepath.Glob(filepath.Join(s.dir, "repos", "*.git", "refs", "remotes", "origin", "main"))
	if err != nil || len(refs) != 1 {
		t.Fatalf("got remote refs %v (%v), want one", refs, err)
	}
	if err := os.WriteFile(refs[0], nil, 0o644); err != nil {
		t.Fatal(err)
	}
	src.commit("bump", map[string]string{"Chart.yaml": "appVersion: \"1.1.0\"\n"})

	for _, store := range []*Store{s, NewStore(s.dir)} { // the same process, and a restarted one
		if err := os.WriteFile(refs[0], nil, 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := store.ReadVersion(ctx, src.remote(), "main", ".", "", vs)
		if err != nil || got != "1.1.0" {
			t.Errorf("read after the ref file was emptied: got %q, %v; want 1.1.0", got, err)
		}
	}
}
