package gitops

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/transport"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
	gitssh "github.com/go-git/go-git/v5/plumbing/transport/ssh"
	"golang.org/x/crypto/ssh"
)

// ErrBranchNotFound reports a branch the remote does not have.
var ErrBranchNotFound = errors.New("branch not found")

// Remote is a Git repository by URL (https, ssh, file:// or a plain path)
// with the credentials to reach it.
type Remote struct {
	URL         string
	Credentials Credentials
}

// Credentials authenticate to a remote: a username and token (https basic
// auth), or an SSH private key in PEM form with the server's known_hosts
// line(s). The zero value is anonymous.
type Credentials struct {
	Username      string
	Token         string
	SSHKey        []byte
	SSHPassphrase string
	KnownHosts    string
}

// Store keeps one bare clone per remote URL in a directory (the data
// directory), fetched before every read or write, and lets only one
// operation at a time use a clone, so only one promotion writes to a
// (repository, branch) at a time within the process.
type Store struct {
	dir   string
	locks keyedMutex
	// beforePush, when set, runs just before each push (tests use it to move
	// the branch under a promotion).
	beforePush func()

	mu    sync.Mutex
	repos map[string]*git.Repository // open clones, which keep pack indexes loaded
}

// NewStore returns a Store caching clones in dir.
func NewStore(dir string) *Store {
	return &Store{dir: dir}
}

// repo is an open clone, locked for the caller until release is called.
type repo struct {
	*git.Repository
	remote  Remote
	auth    transport.AuthMethod
	release func()
}

// open locks the clone of r, creating it when needed, and fetches every
// branch — unless at names a commit the clone already holds: a caller that
// reads at a commit needs nothing newer, since a commit never changes.
func (s *Store) open(ctx context.Context, r Remote, at string) (*repo, error) {
	unlock, err := s.locks.lock(ctx, r.URL)
	if err != nil {
		return nil, err
	}
	rp, err := s.openLocked(ctx, r, at)
	if err != nil {
		unlock()
		return nil, fmt.Errorf("repository %s: %w", r.URL, err)
	}
	rp.release = unlock
	return rp, nil
}

func (s *Store) openLocked(ctx context.Context, r Remote, at string) (*repo, error) {
	sum := sha256.Sum256([]byte(r.URL))
	dir := filepath.Join(s.dir, "repos", hex.EncodeToString(sum[:12])+".git")
	auth, err := s.authMethod(r)
	if err != nil {
		return nil, err
	}
	rp, err := s.openClone(ctx, dir, r, auth, at)
	if err != nil && ctx.Err() == nil && !s.usable(dir) {
		// The clone is only a cache of the remote. A process killed while go-git rewrote one
		// of its files (ref files are rewritten in place) leaves it unreadable, which must not
		// break the repository for good: throw it away and clone again.
		s.mu.Lock()
		delete(s.repos, dir)
		s.mu.Unlock()
		if rerr := os.RemoveAll(dir); rerr != nil {
			return nil, errors.Join(err, rerr)
		}
		rp, err = s.openClone(ctx, dir, r, auth, at)
	}
	return rp, err
}

// openClone opens (or creates) the clone in dir and fetches it, unless it holds commit at.
func (s *Store) openClone(ctx context.Context, dir string, r Remote, auth transport.AuthMethod, at string) (*repo, error) {
	s.mu.Lock()
	g := s.repos[dir]
	s.mu.Unlock()
	if g == nil {
		var err error
		g, err = git.PlainOpen(dir)
		if errors.Is(err, git.ErrRepositoryNotExists) {
			g, err = initClone(dir, r.URL)
		}
		if err != nil {
			return nil, err
		}
		s.mu.Lock()
		if s.repos == nil {
			s.repos = map[string]*git.Repository{}
		}
		s.repos[dir] = g
		s.mu.Unlock()
	}
	rp := &repo{Repository: g, remote: r, auth: auth}
	if at != "" {
		if _, err := g.CommitObject(plumbing.NewHash(at)); err == nil {
			return rp, nil
		}
	}
	return rp, rp.fetch(ctx)
}

// usable reports whether the clone in dir opens and its configuration and references read
// back, so that a failure to fetch is the remote's and not a damaged cache.
func (s *Store) usable(dir string) bool {
	g, err := git.PlainOpen(dir)
	if err != nil {
		return false
	}
	if _, err := g.Remote("origin"); err != nil {
		return false
	}
	refs, err := g.References()
	if err != nil {
		return false
	}
	defer refs.Close()
	return refs.ForEach(func(*plumbing.Reference) error { return nil }) == nil
}

// initClone creates an empty bare repository with the remote as origin.
func initClone(dir, url string) (*git.Repository, error) {
	g, err := git.PlainInit(dir, true)
	if err != nil {
		return nil, err
	}
	_, err = g.CreateRemote(&config.RemoteConfig{
		Name:  "origin",
		URLs:  []string{url},
		Fetch: []config.RefSpec{"+refs/heads/*:refs/remotes/origin/*"},
	})
	return g, err
}

// fetch brings every branch of the remote up to date.
func (r *repo) fetch(ctx context.Context) error {
	err := r.FetchContext(ctx, &git.FetchOptions{RemoteName: "origin", Auth: r.auth, Force: true, Prune: true, Tags: git.NoTags})
	switch {
	case err == nil, errors.Is(err, git.NoErrAlreadyUpToDate), errors.Is(err, transport.ErrEmptyRemoteRepository):
		return nil
	}
	return fmt.Errorf("fetch: %w", err)
}

// branchHead returns the commit at the head of a remote branch (the remote's
// default branch when branch is empty).
func (r *repo) branchHead(ctx context.Context, branch string) (*object.Commit, error) {
	if branch == "" {
		b, err := r.defaultBranch(ctx)
		if err != nil {
			return nil, err
		}
		branch = b
	}
	ref, err := r.Reference(plumbing.NewRemoteReferenceName("origin", branch), true)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", branch, ErrBranchNotFound)
	}
	return r.CommitObject(ref.Hash())
}

// defaultBranch asks the remote which branch its HEAD points to.
func (r *repo) defaultBranch(ctx context.Context) (string, error) {
	rem, err := r.Remote("origin")
	if err != nil {
		return "", err
	}
	refs, err := rem.ListContext(ctx, &git.ListOptions{Auth: r.auth})
	if err != nil {
		return "", fmt.Errorf("list remote: %w", err)
	}
	for _, ref := range refs {
		if ref.Name() == plumbing.HEAD && ref.Type() == plumbing.SymbolicReference {
			return ref.Target().Short(), nil
		}
	}
	return "main", nil
}

// commit resolves a commit SHA, or the branch head when sha is empty.
func (r *repo) commit(ctx context.Context, branch, sha string) (*object.Commit, error) {
	if sha == "" {
		return r.branchHead(ctx, branch)
	}
	c, err := r.CommitObject(plumbing.NewHash(sha))
	if err != nil {
		return nil, fmt.Errorf("commit %s: %w", sha, err)
	}
	return c, nil
}

// authMethod turns credentials into a go-git auth method.
func (s *Store) authMethod(r Remote) (transport.AuthMethod, error) {
	c := r.Credentials
	switch {
	case len(c.SSHKey) > 0:
		user := "git"
		if ep, err := transport.NewEndpoint(r.URL); err == nil && ep.User != "" {
			user = ep.User
		}
		keys, err := gitssh.NewPublicKeys(user, c.SSHKey, c.SSHPassphrase)
		if err != nil {
			return nil, fmt.Errorf("ssh key: %w", err)
		}
		if c.KnownHosts != "" {
			if keys.HostKeyCallback, err = s.knownHosts(c.KnownHosts); err != nil {
				return nil, err
			}
		}
		return keys, nil
	case c.Token != "":
		user := c.Username
		if user == "" {
			user = "git" // hosts check the token, most ignore the name
		}
		return &githttp.BasicAuth{Username: user, Password: c.Token}, nil
	}
	return nil, nil
}

// knownHosts builds a host key check from known_hosts lines, written to a
// file in the store so the standard parser (hashed hosts, wildcards) reads
// them.
func (s *Store) knownHosts(lines string) (ssh.HostKeyCallback, error) {
	sum := sha256.Sum256([]byte(lines))
	path := filepath.Join(s.dir, "known_hosts", hex.EncodeToString(sum[:12]))
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	if err := os.WriteFile(path, []byte(strings.TrimSpace(lines)+"\n"), 0o600); err != nil {
		return nil, err
	}
	return gitssh.NewKnownHostsCallback(path)
}

// keyedMutex is a set of context-aware mutexes by key.
type keyedMutex struct {
	mu    sync.Mutex
	locks map[string]*keyLock
}

type keyLock struct {
	ch    chan struct{}
	users int
}

// lock waits for the mutex of key and returns its unlock function.
func (k *keyedMutex) lock(ctx context.Context, key string) (func(), error) {
	k.mu.Lock()
	if k.locks == nil {
		k.locks = map[string]*keyLock{}
	}
	l := k.locks[key]
	if l == nil {
		l = &keyLock{ch: make(chan struct{}, 1)}
		k.locks[key] = l
	}
	l.users++
	k.mu.Unlock()
	done := func() {
		k.mu.Lock()
		if l.users--; l.users == 0 {
			delete(k.locks, key)
		}
		k.mu.Unlock()
	}
	select {
	case l.ch <- struct{}{}:
		return func() { <-l.ch; done() }, nil
	case <-ctx.Done():
		done()
		return nil, ctx.Err()
	}
}
