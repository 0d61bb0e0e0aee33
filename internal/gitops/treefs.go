package gitops

import (
	"bytes"
	"io"
	"io/fs"
	"time"

	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// treeFS is a read-only fs.FS over a Git tree (a directory at a commit),
// so that templates read files at a commit without a checkout.
type treeFS struct{ tree *object.Tree }

// Open opens a file or directory of the tree.
func (f treeFS) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	if name == "." {
		return &treeDir{info: treeInfo{name: ".", dir: true}, tree: f.tree}, nil
	}
	e, err := f.tree.FindEntry(name)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	if e.Mode == filemode.Dir {
		sub, err := f.tree.Tree(name)
		if err != nil {
			return nil, &fs.PathError{Op: "open", Path: name, Err: err}
		}
		return &treeDir{info: treeInfo{name: e.Name, dir: true}, tree: sub}, nil
	}
	data, err := f.ReadFile(name)
	if err != nil {
		return nil, err
	}
	return &treeFile{info: treeInfo{name: e.Name, size: int64(len(data))}, r: bytes.NewReader(data)}, nil
}

// ReadFile reads a file of the tree.
func (f treeFS) ReadFile(name string) ([]byte, error) {
	file, err := f.tree.File(name)
	if err != nil {
		return nil, &fs.PathError{Op: "read", Path: name, Err: fs.ErrNotExist}
	}
	s, err := file.Contents()
	if err != nil {
		return nil, &fs.PathError{Op: "read", Path: name, Err: err}
	}
	return []byte(s), nil
}

// treeInfo describes a tree entry.
type treeInfo struct {
	name string
	size int64
	dir  bool
}

func (i treeInfo) Name() string       { return i.name }
func (i treeInfo) Size() int64        { return i.size }
func (i treeInfo) ModTime() time.Time { return time.Time{} }
func (i treeInfo) IsDir() bool        { return i.dir }
func (i treeInfo) Sys() any           { return nil }
func (i treeInfo) Type() fs.FileMode  { return i.Mode().Type() }
func (i treeInfo) Info() (fs.FileInfo, error) {
	return i, nil
}
func (i treeInfo) Mode() fs.FileMode {
	if i.dir {
		return fs.ModeDir | 0o555
	}
	return 0o444
}

// treeFile is an open file of a tree.
type treeFile struct {
	info treeInfo
	r    *bytes.Reader
}

func (f *treeFile) Stat() (fs.FileInfo, error) { return f.info, nil }
func (f *treeFile) Read(p []byte) (int, error) { return f.r.Read(p) }
func (f *treeFile) Close() error               { return nil }

// treeDir is an open directory of a tree.
type treeDir struct {
	info treeInfo
	tree *object.Tree
	read int
}

func (d *treeDir) Stat() (fs.FileInfo, error) { return d.info, nil }
func (d *treeDir) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: d.info.name, Err: fs.ErrInvalid}
}
func (d *treeDir) Close() error { return nil }

// ReadDir lists the directory's entries (submodules are left out).
func (d *treeDir) ReadDir(n int) ([]fs.DirEntry, error) {
	var out []fs.DirEntry
	for d.read < len(d.tree.Entries) && (n <= 0 || len(out) < n) {
		e := d.tree.Entries[d.read]
		d.read++
		if e.Mode == filemode.Submodule {
			continue
		}
		out = append(out, treeInfo{name: e.Name, dir: e.Mode == filemode.Dir})
	}
	if n > 0 && len(out) == 0 {
		return nil, io.EOF
	}
	return out, nil
}
