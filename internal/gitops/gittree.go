package gitops

import (
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
)

// appFS returns the application directory dir of a commit's tree as an
// fs.FS; a directory that does not exist reads as empty.
func appFS(root *object.Tree, dir string) fs.FS {
	dir = cleanDir(dir)
	if dir == "" {
		return treeFS{root}
	}
	sub, err := root.Tree(dir)
	if err != nil {
		return treeFS{&object.Tree{}}
	}
	return treeFS{sub}
}

// cleanDir normalizes an application path ("", "." and "/" are the root).
func cleanDir(dir string) string {
	dir = strings.Trim(path.Clean("/"+dir), "/")
	return dir
}

// writeTree stores a new tree: base (nil for an empty tree) with files
// (paths relative to base, slash-separated) written, and returns its hash.
// Existing entries keep their mode; new files are regular files.
func writeTree(st storer.EncodedObjectStorer, base *object.Tree, files map[string][]byte) (plumbing.Hash, error) {
	var entries []object.TreeEntry
	if base != nil {
		entries = slices.Clone(base.Entries)
	}
	direct := map[string][]byte{}
	subdirs := map[string]map[string][]byte{}
	for p, data := range files {
		if dir, rest, ok := strings.Cut(p, "/"); ok {
			if subdirs[dir] == nil {
				subdirs[dir] = map[string][]byte{}
			}
			subdirs[dir][rest] = data
		} else {
			direct[p] = data
		}
	}
	for name, data := range direct {
		h, err := writeBlob(st, data)
		if err != nil {
			return plumbing.ZeroHash, err
		}
		entries = setEntry(entries, object.TreeEntry{Name: name, Mode: filemode.Regular, Hash: h})
	}
	for name, sub := range subdirs {
		var subTree *object.Tree
		if i := slices.IndexFunc(entries, func(e object.TreeEntry) bool { return e.Name == name && e.Mode == filemode.Dir }); i >= 0 {
			t, err := object.GetTree(st, entries[i].Hash)
			if err != nil {
				return plumbing.ZeroHash, err
			}
			subTree = t
		}
		h, err := writeTree(st, subTree, sub)
		if err != nil {
			return plumbing.ZeroHash, err
		}
		entries = setEntry(entries, object.TreeEntry{Name: name, Mode: filemode.Dir, Hash: h})
	}
	slices.SortFunc(entries, func(a, b object.TreeEntry) int {
		return strings.Compare(sortName(a), sortName(b))
	})
	return storeObject(st, &object.Tree{Entries: entries})
}

// sortName is the name Git sorts tree entries by: directories as if they
// ended with a slash.
func sortName(e object.TreeEntry) string {
	if e.Mode == filemode.Dir {
		return e.Name + "/"
	}
	return e.Name
}

// setEntry replaces the entry with e's name (keeping a file's mode, such as
// executable) or adds e.
func setEntry(entries []object.TreeEntry, e object.TreeEntry) []object.TreeEntry {
	for i, old := range entries {
		if old.Name == e.Name {
			if e.Mode != filemode.Dir && old.Mode != filemode.Dir {
				e.Mode = old.Mode
			}
			entries[i] = e
			return entries
		}
	}
	return append(entries, e)
}

// writeBlob stores file content.
func writeBlob(st storer.EncodedObjectStorer, data []byte) (plumbing.Hash, error) {
	obj := st.NewEncodedObject()
	obj.SetType(plumbing.BlobObject)
	w, err := obj.Writer()
	if err != nil {
		return plumbing.ZeroHash, err
	}
	if _, err := w.Write(data); err != nil {
		return plumbing.ZeroHash, err
	}
	if err := w.Close(); err != nil {
		return plumbing.ZeroHash, err
	}
	return st.SetEncodedObject(obj)
}

// encoder is a Git object that encodes itself (a tree or a commit).
type encoder interface {
	Encode(plumbing.EncodedObject) error
}

// storeObject encodes and stores a tree or commit.
func storeObject(st storer.EncodedObjectStorer, o encoder) (plumbing.Hash, error) {
	obj := st.NewEncodedObject()
	if err := o.Encode(obj); err != nil {
		return plumbing.ZeroHash, err
	}
	return st.SetEncodedObject(obj)
}

// prefixPaths joins every path of files under dir.
func prefixPaths(dir string, files map[string][]byte) map[string][]byte {
	dir = cleanDir(dir)
	if dir == "" {
		return files
	}
	out := make(map[string][]byte, len(files))
	for p, data := range files {
		out[dir+"/"+p] = data
	}
	return out
}
