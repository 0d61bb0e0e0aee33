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
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/transport"
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
	Name          string // the credential's name in Ladder, for messages; never secret
	Username      string
	Token         string
	SSHKey        []byte
	SSHPassphrase string
	KnownHosts    string
}

// Store keeps one bare clone per remote URL in a directory (the data directory), fetched
// before every read or write (a promotion onto a branch whose last commit the store pushed
// itself tries first without: promoteAsLeft), and lets only one operation at a time use a
// clone, so only one promotion writes to a (repository, branch) at a time within the
// process. Clones start shallow (the branch tip, as `git clone --depth 1`) and deepen only
// when a history walk needs older commits. At most MaxOpen clones stay open, each with a
// bounded object cache.
type Store struct {
	dir   string
	locks keyedMutex
	// Timeout bounds each network operation (fetch, push); DefaultTimeout when 0.
	Timeout time.Duration
	// beforePush, when set, runs just before each push (tests use it to move
	// the branch under a promotion).
	beforePush func()

	clones openRepos
	health health
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
	timeout time.Duration
	// defaultName is the remote's default branch, as its last advertisement said.
	defaultName string
	release     func()
}

// open locks the clone of r, creating it when needed, and fetches the named branches (every
// branch when none is named, "" is the default branch) — unless at names a commit the clone
// already holds: a caller that reads at a commit needs nothing newer, since a commit never
// changes.
func (s *Store) open(ctx context.Context, r Remote, at string, branches ...string) (*repo, error) {
	unlock, err := s.locks.lock(ctx, r.URL)
	if err != nil {
		return nil, err
	}
	rp, err := s.openLocked(ctx, r, at, branches)
	if err != nil {
		unlock()
		var ne *Error
		if errors.As(err, &ne) || ctx.Err() != nil {
			return nil, err
		}
		return nil, fmt.Errorf("repository %s: %w", r.URL, err)
	}
	rp.release = unlock
	return rp, nil
}

// openAsLeft locks the clone of r as the last fetch or push left it, without fetching. ok is
// false, and nothing is locked, when the clone does not open: the caller then opens it the
// usual way, which also mends a damaged clone. A clone without the branch fails the
// promotion's own read of it (prepare), which sends it the usual way too.
func (s *Store) openAsLeft(ctx context.Context, r Remote) (rp *repo, ok bool, err error) {
	auth, err := s.authMethod(r)
	if err != nil {
		return nil, false, err
	}
	unlock, err := s.locks.lock(ctx, r.URL)
	if err != nil {
		return nil, false, err
	}
	g, err := s.clones.get(s.cloneDir(r), r.URL)
	if err != nil {
		unlock()
		return nil, false, nil
	}
	return &repo{Repository: g, remote: r, auth: auth, timeout: s.timeout(), release: unlock}, true, nil
}

// cloneDir is where the clone of r is kept.
func (s *Store) cloneDir(r Remote) string {
	sum := sha256.Sum256([]byte(r.URL))
	return filepath.Join(s.dir, "repos", hex.EncodeToString(sum[:12])+".git")
}

func (s *Store) openLocked(ctx context.Context, r Remote, at string, branches []string) (*repo, error) {
	dir := s.cloneDir(r)
	auth, err := s.authMethod(r)
	if err != nil {
		return nil, err
	}
	rp, err := s.openClone(ctx, dir, r, auth, at, branches)
	var ne *Error
	if err != nil && ctx.Err() == nil && !errors.As(err, &ne) && !s.usable(dir) {
		// The clone is only a cache of the remote. A process killed while go-git rewrote one
		// of its files (ref files are rewritten in place) leaves it unreadable, which must not
		// break the repository for good: throw it away and clone again.
		s.clones.forget(dir)
		if rerr := os.RemoveAll(dir); rerr != nil {
			return nil, errors.Join(err, rerr)
		}
		rp, err = s.openClone(ctx, dir, r, auth, at, branches)
	}
	return rp, err
}

// openClone opens (or creates) the clone in dir and fetches it, unless it holds commit at.
func (s *Store) openClone(ctx context.Context, dir string, r Remote, auth transport.AuthMethod, at string, branches []string) (*repo, error) {
	g, err := s.clones.get(dir, r.URL)
	if err != nil {
		return nil, err
	}
	rp := &repo{Repository: g, remote: r, auth: auth, timeout: s.timeout()}
	if at != "" {
		if _, err := g.CommitObject(plumbing.NewHash(at)); err == nil {
			return rp, nil
		}
	}
	err = rp.fetch(ctx, false, branches...)
	s.health.record(r.URL, err)
	return rp, err
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

// deepened runs fn, and runs it once more after fetching the whole history of branches when
// fn stopped at the edge of a shallow clone (a commit older than what was fetched).
func (r *repo) deepened(ctx context.Context, fn func() error, branches ...string) error {
	err := fn()
	if !errors.Is(err, plumbing.ErrObjectNotFound) {
		return err
	}
	if shallow, serr := r.Storer.Shallow(); serr != nil || len(shallow) == 0 {
		return err
	}
	if err := r.fetch(ctx, true, branches...); err != nil {
		return err
	}
	return fn()
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

// defaultBranch is the branch the remote's HEAD points to, as the last fetch saw it.
func (r *repo) defaultBranch(context.Context) (string, error) {
	if r.defaultName != "" {
		return r.defaultName, nil
	}
	ref, err := r.Reference(plumbing.NewRemoteReferenceName("origin", "HEAD"), false)
	if err == nil && ref.Type() == plumbing.SymbolicReference {
		return strings.TrimPrefix(ref.Target().String(), "refs/remotes/origin/"), nil
	}
	return "main", nil
}

// commit resolves a commit SHA, or the branch head when sha is empty.
func (r *repo) commit(ctx context.Context, branch, sha string) (*object.Commit, error) {
	if sha == "" {
		return r.branchHead(ctx, branch)
	}
	var c *object.Commit
	err := r.deepened(ctx, func() (err error) {
		c, err = r.CommitObject(plumbing.NewHash(sha))
		return err
	}, branch)
	if err != nil {
		return nil, fmt.Errorf("commit %s: %w", sha, err)
	}
	return c, nil
}
