package gitops

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/theory/jsonpath"
	"gopkg.in/yaml.v3"
)

// FuzzSetValue edits one value of a YAML or JSON file and checks that the
// edit never panics, that the value reads back, and that every other value
// is unchanged. Edits may be refused (ErrEdit) but never wrong.
func FuzzSetValue(f *testing.F) {
	f.Add("a: 1\nb: [x, 'y']\n", uint(1), "new", byte(0), false)
	f.Add("{\"a\": {\"b\": \"c\"}}", uint(2), "1.10", byte(1), true)
	f.Fuzz(func(t *testing.T, data string, pick uint, text string, kind byte, asJSON bool) {
		name := "f.yaml"
		if asJSON {
			name = "f.json"
		}
		docs, err := decodeDocs(name, []byte(data))
		if err != nil {
			return
		}
		all := allLocated(docs)
		if len(all) == 0 {
			return
		}
		target := all[pick%uint(len(all))]
		v := fuzzValue(text, kind)
		out, err := SetValue(name, []byte(data), target.Doc, target.Path, v)
		if errors.Is(err, ErrEdit) {
			return
		}
		if err != nil {
			t.Fatalf("SetValue(%s, %#v): %v", target.Path, v, err)
		}
		checkEdit(t, name, []byte(data), out, docs, target, v)
	})
}

// allLocated lists every value of every document with its normalized path.
func allLocated(docs []any) []Located {
	var all []Located
	p := jsonpath.MustParse("$..*")
	for i, d := range docs {
		for _, n := range p.SelectLocated(d) {
			all = append(all, Located{Doc: i, Path: n.Path.String(), Value: n.Node})
		}
	}
	return all
}

// fuzzValue turns fuzz input into a new value of some type.
func fuzzValue(text string, kind byte) any {
	switch kind % 6 {
	case 1:
		var n json.Number
		if json.Unmarshal([]byte(text), &n) == nil {
			return n
		}
		return json.Number("42")
	case 2:
		return len(text)%2 == 0
	case 3:
		return nil
	case 4:
		return map[string]any{"k": text, "n": json.Number("1")}
	case 5:
		return []any{text}
	}
	return text
}

// checkEdit verifies the property: the edited value reads back and, when no
// anchor is shared, the decoded file equals the original with only that
// path replaced.
func checkEdit(t *testing.T, name string, in, out []byte, docs []any, target Located, v any) {
	t.Helper()
	got, err := decodeDocs(name, out)
	if err != nil {
		t.Fatalf("edited file does not parse: %v\n%s", err, out)
	}
	if len(got) != len(docs) {
		t.Fatalf("got %d documents, want %d", len(got), len(docs))
	}
	np, _ := parseNormalized(target.Path)
	if gv, ok := valueAt(got[target.Doc], np); !ok || !equalValues(gv, v) {
		t.Fatalf("at %s: got %#v, want %#v\n%s", target.Path, gv, v, out)
	}
	shared := !isJSON(name) && hasAliases(in)
	for i := range docs {
		want := docs[i]
		if i == target.Doc {
			if shared {
				continue
			}
			want, _ = replaceAt(docs[i], np, v)
		}
		if !equalValues(got[i], want) {
			t.Fatalf("document %d: got %#v, want %#v\n--- in:\n%s\n--- out:\n%s", i, got[i], want, in, out)
		}
	}
}

// hasAliases reports a YAML stream that shares nodes through aliases (an
// edit of a shared node then changes every place that uses it).
func hasAliases(data []byte) bool {
	nodes, _ := decodeYAMLNodes(data)
	var walk func(*yaml.Node) bool
	walk = func(n *yaml.Node) bool {
		if n.Kind == yaml.AliasNode {
			return true
		}
		for _, c := range n.Content {
			if walk(c) {
				return true
			}
		}
		return false
	}
	for _, n := range nodes {
		if walk(n) {
			return true
		}
	}
	return false
}
