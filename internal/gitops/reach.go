package gitops

import (
	"context"
	"errors"

	"github.com/go-git/go-git/v5/plumbing"
)

// Contains reports whether commit sha is commit from or one of its ancestors: a deployment
// at from includes sha (Argo CD synced to sha or to a later commit). A commit the remote does
// not have is not contained.
func (s *Store) Contains(ctx context.Context, r Remote, from, sha string) (bool, error) {
	if from == sha {
		return true, nil
	}
	rp, err := s.open(ctx, r, "")
	if err != nil {
		return false, err
	}
	defer rp.release()
	later, err := rp.CommitObject(plumbing.NewHash(from))
	if errors.Is(err, plumbing.ErrObjectNotFound) {
		return false, nil
	}
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
	var ok bool
	err = rp.deepened(ctx, func() (err error) {
		ok, err = c.IsAncestor(later)
		return err
	})
	return ok, err
}
