package loadtest

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"ladder/internal/release"
)

// TestCheckRepoFindsDuplicatesMissingAndStray: the end-of-run check must see a release
// committed twice, a release never committed and a commit naming no release, or its zeros
// would prove nothing.
func TestCheckRepoFindsDuplicatesMissingAndStray(t *testing.T) {
	repo, err := NewRepo(t.TempDir(), "shop-prod", "1.0.0")
	if err != nil {
		t.Fatal(err)
	}
	for _, msg := range []string{"Release: #1 (r1)", "Release: #1 (r1)", "Release: #2 (r2)", "Release: #9 (r9)"} {
		if _, err := git(repo.work, "commit", "-q", "--allow-empty", "-m", "Promote shop\n\n"+msg+"\nProduct: shop"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := git(repo.work, "push", "-q", "origin", "HEAD:main"); err != nil {
		t.Fatal(err)
	}
	all := []release.Release{{ID: "r1", Number: 1, Product: "shop"}, {ID: "r2", Number: 2, Product: "shop"},
		{ID: "r3", Number: 3, Product: "shop"}, {ID: "c1", Number: 1, Product: "cart"}}
	stored := map[string]release.Release{}
	for _, r := range all {
		stored[r.ID] = r
	}
	var rep Report
	if err := checkRepo("shop-prod", repo, "shop", all, stored, &rep); err != nil {
		t.Fatal(err)
	}
	want := Report{Missing: []string{"shop-prod #3 r3"}, Duplicates: []string{"shop-prod #1 r1 ×2"}, Stray: []string{"shop-prod r9"}, Commits: 4}
	if !reflect.DeepEqual(rep, want) {
		t.Errorf("got %+v, want %+v", rep, want)
	}
	if rep.OK() {
		t.Error("got OK, want a failed report")
	}
}

// TestPushesStartNoHousekeeping: a push into a repository NewRepo made runs what a Git host
// runs for it, and no git gc, which a host schedules apart from pushes.
func TestPushesStartNoHousekeeping(t *testing.T) {
	repo, err := NewRepo(t.TempDir(), "shop-prod", "1.0.0")
	if err != nil {
		t.Fatal(err)
	}
	trace := filepath.Join(t.TempDir(), "trace")
	t.Setenv("GIT_TRACE", trace)
	if err := repo.CommitVersion("1.0.1"); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(trace)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "git receive-pack") { // the trace saw the push
		t.Fatalf("no receive-pack in the push's trace:\n%s", b)
	}
	if strings.Contains(string(b), "git gc") {
		t.Errorf("the push started git gc:\n%s", b)
	}
}
