package gitops

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// BenchmarkPromote measures one promotion (read the source at its head,
// write the target value, commit, push) with go-git on local bare
// repositories, next to BenchmarkPromoteGitCLI doing the same edit, commit
// and push with the git command line.
func BenchmarkPromote(b *testing.B) {
	dev, prod := newEnvs(b)
	store := NewStore(b.TempDir())
	ctx := context.Background()
	req := promoteRequest(dev, prod)
	b.ResetTimer()
	for i := range b.N {
		// A new source value each time so every promotion commits.
		b.StopTimer()
		dev.commit("bump", map[string]string{"chart/values.yaml": strings.Replace(devValues, "1.5.0", fmt.Sprintf("1.5.%d", i+1), 1)})
		b.StartTimer()
		res, err := store.Promote(ctx, req)
		if err != nil || res.Commit == "" {
			b.Fatalf("promote: %+v %v", res, err)
		}
	}
}

// BenchmarkPromoteGitCLI does the same with git: fetch and reset a working
// copy, read the source file at its head, splice the value, commit, push.
func BenchmarkPromoteGitCLI(b *testing.B) {
	dev, prod := newEnvs(b)
	work := filepath.Join(b.TempDir(), "prod")
	runGit(b, ".", "clone", "-q", prod.bare, work)
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		dev.commit("bump", map[string]string{"chart/values.yaml": strings.Replace(devValues, "1.5.0", fmt.Sprintf("1.5.%d", i+1), 1)})
		b.StartTimer()
		src := runGit(b, ".", "--git-dir", dev.bare, "show", "main:chart/values.yaml")
		found, err := Select("values.yaml", []byte(src), "$.image.tag")
		if err != nil {
			b.Fatal(err)
		}
		runGit(b, work, "fetch", "-q", "origin")
		runGit(b, work, "reset", "-q", "--hard", "origin/main")
		path := filepath.Join(work, "apps/shop/values.yaml")
		old, err := os.ReadFile(path)
		if err != nil {
			b.Fatal(err)
		}
		out, err := SetValue("values.yaml", old, 0, found[0].Path, found[0].Value)
		if err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(path, out, 0o644); err != nil {
			b.Fatal(err)
		}
		runGit(b, work, "commit", "-q", "-am", "Promote shop")
		runGit(b, work, "push", "-q", "origin", "HEAD:main")
	}
}
