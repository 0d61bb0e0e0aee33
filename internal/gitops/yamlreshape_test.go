package gitops

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// TestSetValueKeepsItemsAndComments replaces lists and maps by others of
// another length or other keys: the items and keys that stay keep their
// lines and comments, new ones take their neighbours' indentation.
func TestSetValueKeepsItemsAndComments(t *testing.T) {
	list := "l:\n    - a # A\n    - b # B\n    - c # C\nx: 1\n"
	tests := []struct {
		name, in, path string
		v              any
		want           string
	}{
		{"prepend", list, "$['l']", []any{"z", "a", "b", "c"}, "l:\n    - z\n    - a # A\n    - b # B\n    - c # C\nx: 1\n"},
		{"remove from the middle", list, "$['l']", []any{"a", "c"}, "l:\n    - a # A\n    - c # C\nx: 1\n"},
		{"change one, add one", list, "$['l']", []any{"a", "B2", "c", "d"}, "l:\n    - a # A\n    - B2 # B\n    - c # C\n    - d\nx: 1\n"},
		{"items that are maps",
			"l:\n- name: a # A\n  v: 1\n- name: b\n  v: 2 # two\n", "$['l']",
			[]any{map[string]any{"v": json.Number("1")}, map[string]any{"name": "b", "v": json.Number("3"), "w": map[string]any{"x": "y"}}},
			"l:\n- v: 1\n- name: b\n  v: 3 # two\n  w:\n    x: y\n"},
		{"a key added at the end of a file without a final newline", "a:\n    b: 1\nc: x", "$['a']",
			map[string]any{"b": json.Number("1"), "e": "f"}, "a:\n    b: 1\n    e: f\nc: x"},
		{"a scalar becomes a map one indentation step in", "a:\n    b: 1\nc: x\n", "$['c']",
			map[string]any{"k": map[string]any{"n": "v"}}, "a:\n    b: 1\nc:\n    k:\n        n: v\n"},
		{"a date over a plain date stays plain", "d: 2024-01-01 # day\n", "$['d']", "2024-02-02", "d: 2024-02-02 # day\n"},
		{"a date over a plain string is quoted", "d: today\n", "$['d']", "2024-02-02", "d: \"2024-02-02\"\n"},
		{"a date over a quoted date keeps its quotes", "d: '2024-01-01'\n", "$['d']", "2024-02-02", "d: '2024-02-02'\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := SetValue("x.yaml", []byte(tt.in), 0, tt.path, tt.v)
			if err != nil {
				t.Fatal(err)
			}
			if string(out) != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", out, tt.want)
			}
		})
	}
}

// TestSetValueRefusals lists the edits refused with ErrEdit and a message
// saying why, leaving the file as it was.
func TestSetValueRefusals(t *testing.T) {
	anchor := "defaults: &defaults\n  image:\n    tag: v1\nprod:\n  <<: *defaults\nstaging:\n  <<: *defaults\n"
	tests := []struct {
		name, file, in, path string
		v                    any
		want                 string
	}{
		{"a value inside a merged anchor", "x.yaml", anchor, "$['prod']['image']['tag']", "v2", "shared through a merge key (<<)"},
		{"a value through an alias", "x.yaml", "a: &a {tag: v1}\nb: *a\n", "$['b']['tag']", "v2", "shared through the alias *a"},
		{"a string over a list", "x.yaml", "args:\n  - --a\n", "$['args']", "--b", "refusing to replace a list"},
		{"null over a map", "x.yaml", "image:\n  tag: v1\n", "$['image']", nil, "refusing to replace a map"},
		{"a number over a JSON list", "x.json", `{"a": [1]}`, "$['a']", json.Number("2"), "refusing to replace a list"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := SetValue(tt.file, []byte(tt.in), 0, tt.path, tt.v)
			if !errors.Is(err, ErrEdit) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v and\n%s\nwant an ErrEdit saying %q", err, out, tt.want)
			}
		})
	}
}

// TestSetValueThroughAnAnchorItself edits a value at the anchor that
// defines it: every key that uses the anchor changes with it, as it would
// editing the file by hand.
func TestSetValueThroughAnAnchorItself(t *testing.T) {
	in := "defaults: &defaults\n  tag: v1\nprod:\n  <<: *defaults\n"
	out, err := SetValue("x.yaml", []byte(in), 0, "$['defaults']['tag']", "v2")
	if err != nil {
		t.Fatal(err)
	}
	if want := "defaults: &defaults\n  tag: v2\nprod:\n  <<: *defaults\n"; string(out) != want {
		t.Errorf("got:\n%s\nwant:\n%s", out, want)
	}
}
