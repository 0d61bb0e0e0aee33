package gitops

import (
	"slices"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	fdiff "github.com/go-git/go-git/v5/plumbing/format/diff"
	"github.com/go-git/go-git/v5/utils/diff"
	"github.com/sergi/go-diff/diffmatchpatch"
)

// FileChange is the old and new content of one file. A nil Old is a new
// file.
type FileChange struct {
	Old []byte
	New []byte
}

// Diff returns a unified diff (git style: diff --git, --- a/, +++ b/, @@
// hunks with 3 lines of context, no index lines) of the changes, files in name order.
// It is Patch without the index lines, whose blob hashes mean nothing to a
// reader of a preview.
func Diff(changes map[string]FileChange) (string, error) {
	p, err := Patch(changes)
	if err != nil {
		return "", err
	}
	// Content lines always start with ' ', '+' or '-', so this drops only the header line.
	lines := strings.SplitAfter(p, "\n")
	lines = slices.DeleteFunc(lines, func(l string) bool { return strings.HasPrefix(l, "index ") })
	return strings.Join(lines, ""), nil
}

// Patch returns the changes as the patch of the commit that would make them, in
// go-git's unified format (as `git diff --full-index` prints it, without hunk
// function context): diff --git, index lines with the full blob hashes, --- a/,
// +++ b/, @@ hunks with 3 lines of context; files in name order. For the
// files of a commit made from these changes it equals, byte for byte, the
// go-git patch between the commit and its parent. Files are taken as regular
// (mode 100644).
//
// The line diff and the unified format come from go-git (its utils/diff
// wraps sergi/go-diff, both already dependencies), so no diff algorithm is
// kept here.
func Patch(changes map[string]FileChange) (string, error) {
	names := make([]string, 0, len(changes))
	for n := range changes {
		names = append(names, n)
	}
	slices.Sort(names)
	var p patch
	for _, n := range names {
		c := changes[n]
		if string(c.Old) == string(c.New) {
			continue
		}
		p = append(p, newFilePatch(n, c))
	}
	var b strings.Builder
	if err := fdiff.NewUnifiedEncoder(&b, fdiff.DefaultContextLines).Encode(p); err != nil {
		return "", err
	}
	return b.String(), nil
}

// newFilePatch computes the line chunks of one file.
func newFilePatch(name string, c FileChange) filePatch {
	fp := filePatch{to: diffFile{name, c.New}}
	if c.Old != nil {
		fp.from = &diffFile{name, c.Old}
	}
	for _, d := range diff.Do(string(c.Old), string(c.New)) {
		op := fdiff.Equal
		switch d.Type {
		case diffmatchpatch.DiffInsert:
			op = fdiff.Add
		case diffmatchpatch.DiffDelete:
			op = fdiff.Delete
		}
		fp.chunks = append(fp.chunks, chunk{d.Text, op})
	}
	return fp
}

type patch []fdiff.FilePatch

func (p patch) FilePatches() []fdiff.FilePatch { return p }
func (p patch) Message() string                { return "" }

type filePatch struct {
	from   *diffFile
	to     diffFile
	chunks []fdiff.Chunk
}

func (f filePatch) IsBinary() bool { return false }
func (f filePatch) Files() (fdiff.File, fdiff.File) {
	if f.from == nil {
		return nil, f.to
	}
	return *f.from, f.to
}
func (f filePatch) Chunks() []fdiff.Chunk { return f.chunks }

type diffFile struct {
	path string
	data []byte
}

func (f diffFile) Hash() plumbing.Hash {
	return plumbing.ComputeHash(plumbing.BlobObject, f.data)
}
func (f diffFile) Mode() filemode.FileMode { return filemode.Regular }
func (f diffFile) Path() string            { return f.path }

type chunk struct {
	content string
	op      fdiff.Operation
}

func (c chunk) Content() string       { return c.content }
func (c chunk) Type() fdiff.Operation { return c.op }
