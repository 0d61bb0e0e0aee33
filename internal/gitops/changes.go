package gitops

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// MaxChanges bounds the commits Changes lists when the baseline is not in
// the branch's history (after a force push).
const MaxChanges = 100

// Commit describes a commit for triggers and release pages.
type Commit struct {
	SHA     string
	Message string
	Author  string
	Date    time.Time
}

// Head returns the SHA at the head of a branch (the remote's default branch
// when branch is empty).
func (s *Store) Head(ctx context.Context, r Remote, branch string) (string, error) {
	rp, err := s.open(ctx, r, "", branch)
	if err != nil {
		return "", err
	}
	defer rp.release()
	c, err := rp.branchHead(ctx, branch)
	if err != nil {
		return "", err
	}
	return c.Hash.String(), nil
}

// Changes fetches a branch and returns its head and the commits after since
// that change files under dir, oldest first. It follows first parents, so a
// merged branch shows as its merge commit. An empty since is a baseline:
// the head is returned with no commits. When since is not in the first-
// parent history (the branch was rewritten), at most MaxChanges commits
// are listed.
//
// A commit touches dir when the hash of dir's tree differs from its first
// parent's, which is much faster than a path-filtered log.
func (s *Store) Changes(ctx context.Context, r Remote, branch, dir, since string) (string, []Commit, error) {
	rp, err := s.open(ctx, r, "", branch)
	if err != nil {
		return "", nil, err
	}
	defer rp.release()
	head, err := rp.branchHead(ctx, branch)
	if err != nil {
		return "", nil, err
	}
	if since == "" || since == head.Hash.String() {
		return head.Hash.String(), nil, nil
	}
	var found []Commit
	err = rp.deepened(ctx, func() (err error) {
		found, err = changesSince(head, plumbing.NewHash(since), dir)
		return err
	}, branch)
	return head.Hash.String(), found, err
}

// changesSince lists the first-parent commits from head back to stop (at most MaxChanges)
// that touch dir, oldest first.
func changesSince(head *object.Commit, stop plumbing.Hash, dir string) ([]Commit, error) {
	var found []Commit
	for c, n := head, 0; c != nil && c.Hash != stop && n < MaxChanges; n++ {
		parent, err := firstParent(c)
		if err != nil {
			return nil, err
		}
		changed, err := touches(c, parent, dir)
		if err != nil {
			return nil, err
		}
		if changed {
			found = append(found, commitInfo(c))
		}
		c = parent
	}
	slices.Reverse(found)
	return found, nil
}

// firstParent returns a commit's first parent, or nil for a root commit.
func firstParent(c *object.Commit) (*object.Commit, error) {
	if c.NumParents() == 0 {
		return nil, nil
	}
	return c.Parent(0)
}

// touches reports whether dir differs between parent (nil: none) and c.
func touches(c, parent *object.Commit, dir string) (bool, error) {
	h, err := dirHash(c, dir)
	if err != nil {
		return false, err
	}
	if parent == nil {
		return !h.IsZero(), nil
	}
	ph, err := dirHash(parent, dir)
	return h != ph, err
}

// dirHash is the hash of dir's tree (or file) in a commit; zero when it
// does not exist.
func dirHash(c *object.Commit, dir string) (plumbing.Hash, error) {
	root, err := c.Tree()
	if err != nil {
		return plumbing.ZeroHash, err
	}
	dir = cleanDir(dir)
	if dir == "" {
		return root.Hash, nil
	}
	e, err := root.FindEntry(dir)
	if errors.Is(err, object.ErrDirectoryNotFound) || errors.Is(err, object.ErrEntryNotFound) {
		return plumbing.ZeroHash, nil
	}
	if err != nil {
		return plumbing.ZeroHash, err
	}
	return e.Hash, nil
}

// commitInfo describes a commit.
func commitInfo(c *object.Commit) Commit {
	return Commit{
		SHA:     c.Hash.String(),
		Message: c.Message,
		Author:  fmt.Sprintf("%s <%s>", c.Author.Name, c.Author.Email),
		Date:    c.Author.When.UTC(),
	}
}

// Merged reports whether a commit is reachable from the head of a branch,
// which is how a merged pull request is detected with any Git server. A
// squash or rebase merge makes a new commit, so the promotion commit never
// becomes reachable: callers fall back to the provider's merged state
// (Provider.PullRequest) for those.
func (s *Store) Merged(ctx context.Context, r Remote, branch, sha string) (bool, error) {
	rp, err := s.open(ctx, r, "", branch)
	if err != nil {
		return false, err
	}
	defer rp.release()
	head, err := rp.branchHead(ctx, branch)
	if err != nil {
		return false, err
	}
	c, err := rp.CommitObject(plumbing.NewHash(sha))
	if errors.Is(err, plumbing.ErrObjectNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if c.Hash == head.Hash {
		return true, nil
	}
	var ok bool
	err = rp.deepened(ctx, func() (err error) {
		ok, err = c.IsAncestor(head)
		return err
	}, branch)
	return ok, err
}
