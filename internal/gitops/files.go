package gitops

import (
	"context"
	"io/fs"
)

// Files fetches a branch and returns its head and the files under dir (paths relative to dir,
// slash-separated) whose paths match keep. A directory that does not exist holds no files.
func (s *Store) Files(ctx context.Context, r Remote, branch, dir string, keep func(path string) bool) (string, map[string][]byte, error) {
	rp, err := s.open(ctx, r, "", branch)
	if err != nil {
		return "", nil, err
	}
	defer rp.release()
	head, err := rp.branchHead(ctx, branch)
	if err != nil {
		return "", nil, err
	}
	root, err := head.Tree()
	if err != nil {
		return "", nil, err
	}
	fsys := appFS(root, dir)
	files := map[string][]byte{}
	err = fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !keep(p) {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		files[p] = b
		return err
	})
	return head.Hash.String(), files, err
}
