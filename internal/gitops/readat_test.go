package gitops

import (
	"context"
	"os"
	"testing"
)

// TestReadingAtAKnownCommitFetchesNothing reads dev's values at a commit, then makes the remote
// unreachable: reading at that commit again still works from the clone (a commit never
// changes), while reading the branch head, which needs a fetch, fails.
func TestReadingAtAKnownCommitFetchesNothing(t *testing.T) {
	ctx := context.Background()
	dev, _ := newEnvs(t)
	s := NewStore(t.TempDir())
	head := runGit(t, dev.bare, "rev-parse", "main")
	if _, _, err := s.ReadSource(ctx, dev.remote(), "main", "chart", head, shopTemplate); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(dev.bare, dev.bare+".gone"); err != nil {
		t.Fatal(err)
	}
	vals, sha, err := s.ReadSource(ctx, dev.remote(), "main", "chart", head, shopTemplate)
	if err != nil || sha != head || len(vals.Paths) == 0 {
		t.Errorf("at the known commit with the remote gone: %d files at %s, %v; want the values at %s", len(vals.Paths), sha, err, head)
	}
	if v, err := s.ReadVersion(ctx, dev.remote(), "main", "chart", head, shopTemplate.VersionSource); err != nil || v != "1.5.0" {
		t.Errorf("version at the known commit: %q, %v; want 1.5.0", v, err)
	}
	if _, _, err := s.ReadSource(ctx, dev.remote(), "main", "chart", "", shopTemplate); err == nil {
		t.Error("the branch head with the remote gone: got no error, want the failed fetch")
	}
}
