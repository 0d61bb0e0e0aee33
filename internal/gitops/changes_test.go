package gitops

import (
	"context"
	"sync"
	"testing"
	"time"
)

func TestChanges(t *testing.T) {
	ctx := context.Background()
	repo := newFixtureRepo(t, map[string]string{"chart/values.yaml": "tag: a\n", "README.md": "r\n"})
	store := NewStore(t.TempDir())
	base := runGit(t, repo.bare, "rev-parse", "main")

	head, commits, err := store.Changes(ctx, repo.remote(), "main", "chart", "")
	if err != nil {
		t.Fatal(err)
	}
	if head != base || len(commits) != 0 {
		t.Fatalf("baseline: got %s with %d commits, want %s with none", head, len(commits), base)
	}

	touch1 := repo.commit("bump chart", map[string]string{"chart/values.yaml": "tag: b\n"})
	repo.commit("docs only", map[string]string{"README.md": "changed\n"})
	touch2 := repo.commit("new file in chart", map[string]string{"chart/extra.yaml": "x: 1\n"})
	last := repo.commit("docs again", map[string]string{"README.md": "again\n"})

	tests := []struct {
		name, path, since string
		want              []string
	}{
		{"path touched twice", "chart", base, []string{touch1, touch2}},
		{"since the first change", "./chart/", touch1, []string{touch2}},
		{"up to date", "chart", last, nil},
		{"whole repository", ".", touch2, []string{last}},
		{"other path", "docs", base, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			head, commits, err := store.Changes(ctx, repo.remote(), "main", tt.path, tt.since)
			if err != nil {
				t.Fatal(err)
			}
			if head != last {
				t.Errorf("got head %s, want %s", head, last)
			}
			var got []string
			for _, c := range commits {
				got = append(got, c.SHA)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("commit %d: got %s, want %s", i, got[i], tt.want[i])
				}
			}
		})
	}
	_, commits, _ = store.Changes(ctx, repo.remote(), "main", "chart", base)
	if c := commits[0]; c.Message != "bump chart\n" || c.Author != "Dev <dev@example.com>" || c.Date.IsZero() {
		t.Errorf("got %+v, want message, author and date of the commit", c)
	}
}

func TestPoller(t *testing.T) {
	repo := newFixtureRepo(t, map[string]string{"app/values.yaml": "tag: a\n"})
	store := NewStore(t.TempDir())
	var mu sync.Mutex
	baseline := ""
	found := make(chan Change, 10)
	p := NewPoller(store, time.Hour, func(context.Context) ([]Watch, error) {
		mu.Lock()
		defer mu.Unlock()
		return []Watch{{Key: "app", Remote: repo.remote(), Branch: "main", Path: "app", Since: baseline}}, nil
	}, func(_ context.Context, c Change) error {
		mu.Lock()
		baseline = c.Head
		mu.Unlock()
		found <- c
		return nil
	})
	p.Error = func(err error) { t.Error(err) }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- p.Run(ctx) }()

	first := receive(t, found)
	if len(first.Commits) != 0 || first.Watch.Key != "app" {
		t.Errorf("first poll: got %+v, want a baseline with no commits", first)
	}
	sha := repo.commit("bump", map[string]string{"app/values.yaml": "tag: b\n"})
	p.Wake() // as a webhook would; the interval is an hour
	second := receive(t, found)
	if len(second.Commits) != 1 || second.Commits[0].SHA != sha || second.Head != sha {
		t.Errorf("after wake: got %+v, want commit %s", second, sha)
	}
	cancel()
	if err := <-done; err != context.Canceled {
		t.Errorf("got %v, want context.Canceled", err)
	}
}

func receive(t *testing.T, ch chan Change) Change {
	t.Helper()
	select {
	case c := <-ch:
		return c
	case <-time.After(10 * time.Second):
		t.Fatal("no change reported within 10s")
	}
	return Change{}
}
