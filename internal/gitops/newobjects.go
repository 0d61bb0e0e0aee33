package gitops

import (
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
)

// newObjects lists the objects commit c adds to its parent: itself, and the trees and blobs
// of its tree that its parent's tree does not hold. A push sends only these, where go-git's
// own push walks the whole history reachable from the remote branch to find them.
func newObjects(s storer.EncodedObjectStorer, c *object.Commit) ([]plumbing.Hash, error) {
	out := []plumbing.Hash{c.Hash}
	old := plumbing.ZeroHash
	if len(c.ParentHashes) > 0 {
		parent, err := object.GetCommit(s, c.ParentHashes[0])
		if err != nil {
			return nil, err
		}
		old = parent.TreeHash
	}
	return newTreeObjects(s, c.TreeHash, old, out)
}

// newTreeObjects appends tree h and what it holds that tree old (zero: none) does not.
func newTreeObjects(s storer.EncodedObjectStorer, h, old plumbing.Hash, out []plumbing.Hash) ([]plumbing.Hash, error) {
	if h == old {
		return out, nil
	}
	out = append(out, h)
	t, err := object.GetTree(s, h)
	if err != nil {
		return nil, err
	}
	had := map[string]plumbing.Hash{}
	if !old.IsZero() {
		ot, err := object.GetTree(s, old)
		if err != nil {
			return nil, err
		}
		for _, e := range ot.Entries {
			had[e.Name] = e.Hash
		}
	}
	for _, e := range t.Entries {
		switch {
		case had[e.Name] == e.Hash, e.Mode == filemode.Submodule:
		case e.Mode == filemode.Dir:
			if out, err = newTreeObjects(s, e.Hash, had[e.Name], out); err != nil {
				return nil, err
			}
		default:
			out = append(out, e.Hash)
		}
	}
	return out, nil
}
