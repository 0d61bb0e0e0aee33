package gitops

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// TestCorpusSweep edits every scalar of every YAML file in $LADDER_CORPUS (a
// directory of real Helm charts, where one is at hand) and checks that only
// that value changed. Without it the sweep runs over the repository's own
// fixtures in testdata/edit, so it never skips.
func TestCorpusSweep(t *testing.T) {
	dir := os.Getenv("LADDER_CORPUS")
	if dir == "" {
		dir = filepath.Join("testdata", "edit")
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no YAML files in %s (%v)", dir, err)
	}
	var edits, refused int
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		docs, err := decodeDocs(f, data)
		if err != nil {
			t.Logf("%s: skipped: %v", f, err)
			continue
		}
		for _, l := range allLocated(docs) {
			if isComposite(l.Value) {
				continue
			}
			v := any("ladder-sweep")
			if s, ok := l.Value.(string); ok {
				v = s + "-2"
			}
			out, err := SetValue(f, data, l.Doc, l.Path, v)
			if errors.Is(err, ErrEdit) {
				refused++
				continue
			}
			if err != nil {
				t.Fatalf("%s %s: %v", f, l.Path, err)
			}
			checkEdit(t, f, data, out, docs, l, v)
			edits++
		}
	}
	t.Logf("%d files, %d edits verified, %d refused", len(files), edits, refused)
}
