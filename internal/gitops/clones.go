package gitops

import (
	"container/list"
	"errors"
	"sync"

	"github.com/go-git/go-billy/v5/osfs"
	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/storage/filesystem"
)

// MaxOpen is how many clones stay open at once. An open clone keeps its pack indexes and an
// object cache; the least recently used one is closed when another opens. Opening one reads
// every pack index again, which cost more CPU than the promotion itself when products took
// turns on more repositories than stayed open (20 repositories and 8 open clones, say), so
// the bound is above the repositories an installation usually promotes between.
const MaxOpen = 32

// ObjectCacheSize bounds the object cache of each open clone (go-git's default is 96 MiB and
// is never given back while the clone stays open): MaxOpen × ObjectCacheSize = 64 MiB at
// most.
const ObjectCacheSize = 2 * cache.MiByte

// openRepos is a bounded, least-recently-used set of open clones by directory.
type openRepos struct {
	mu    sync.Mutex
	byDir map[string]*list.Element
	order list.List // front: most recently used; values are *openRepo
}

type openRepo struct {
	dir string
	g   *git.Repository
}

// get returns the clone in dir, opening it (or creating it with url as origin) when needed.
// Callers hold the lock of the clone's URL, so one directory is never opened twice at once.
func (o *openRepos) get(dir, url string) (*git.Repository, error) {
	o.mu.Lock()
	if e, ok := o.byDir[dir]; ok {
		o.order.MoveToFront(e)
		o.mu.Unlock()
		return e.Value.(*openRepo).g, nil
	}
	o.mu.Unlock()
	g, err := openClone(dir, url)
	if err != nil {
		return nil, err
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.byDir == nil {
		o.byDir = map[string]*list.Element{}
	}
	o.byDir[dir] = o.order.PushFront(&openRepo{dir: dir, g: g})
	for o.order.Len() > MaxOpen {
		last := o.order.Back()
		o.order.Remove(last)
		delete(o.byDir, last.Value.(*openRepo).dir)
	}
	return g, nil
}

// forget drops the clone in dir (before it is deleted).
func (o *openRepos) forget(dir string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if e, ok := o.byDir[dir]; ok {
		o.order.Remove(e)
		delete(o.byDir, dir)
	}
}

// openClone opens the bare clone in dir with a bounded object cache, creating it (empty,
// with url as origin) when it does not exist.
func openClone(dir, url string) (*git.Repository, error) {
	st := filesystem.NewStorage(osfs.New(dir), cache.NewObjectLRU(ObjectCacheSize))
	g, err := git.Open(st, nil)
	if !errors.Is(err, git.ErrRepositoryNotExists) {
		return g, err
	}
	if g, err = git.Init(st, nil); err != nil {
		return nil, err
	}
	_, err = g.CreateRemote(&config.RemoteConfig{
		Name:  "origin",
		URLs:  []string{url},
		Fetch: []config.RefSpec{"+refs/heads/*:refs/remotes/origin/*"},
	})
	return g, err
}
