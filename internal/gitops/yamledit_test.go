package gitops

import (
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

// setAll sets every value query selects in data to v.
func setAll(t *testing.T, name string, data []byte, query string, v any) []byte {
	t.Helper()
	found, err := Select(name, data, query)
	if err != nil {
		t.Fatalf("Select(%s): %v", query, err)
	}
	for _, l := range found {
		if data, err = SetValue(name, data, l.Doc, l.Path, v); err != nil {
			t.Fatalf("SetValue(%s): %v", l.Path, err)
		}
	}
	return data
}

// checkGolden compares got with testdata/edit/<name>, rewriting it with -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "edit", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden: %v (run with -update to create it)", err)
	}
	if string(got) != string(want) {
		t.Errorf("got:\n%s\nwant:\n%s\ndiff:\n%s", got, want, mustDiff(t, name, want, got))
	}
}

func mustDiff(t *testing.T, name string, old, new []byte) string {
	d, err := Diff(map[string]FileChange{name: {Old: old, New: new}})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

type editStep struct {
	query string
	value any
}

func TestSetValueGolden(t *testing.T) {
	tests := []struct {
		name   string
		input  string
		golden string
		steps  []editStep
	}{
		{"dotted path", "values.yaml", "values-image-tag.golden.yaml", []editStep{{"$.image.tag", "1.5.0"}}},
		{"descendant", "values.yaml", "values-descendant.golden.yaml", []editStep{{"$..image.tag", "2.0.0"}}},
		{"bracket key with dash", "values.yaml", "values-dash.golden.yaml", []editStep{{"$['key-with-dash']", "it's new"}, {"$['odd key']", "yes"}}},
		{"filter and index", "values.yaml", "values-filter.golden.yaml", []editStep{
			{"$.deps[?@.name=='redis'].version", "18.0.1"},
			{"$.deps[0].version", "13.2.1"},
			{"$.ports[1]", json.Number("8443")},
		}},
		{"types", "values.yaml", "values-types.golden.yaml", []editStep{
			{"$.replicaCount", json.Number("3")},
			{"$.frontend.enabled", "on"},
			{"$.mode", "0755"},
			{"$.empty", "now set"},
			{"$.annotations.team", "web, shop"},
		}},
		{"block scalars", "values.yaml", "values-blocks.golden.yaml", []editStep{
			{"$.config", "listen: 9090\nlog: info\ncache: true\n"},
			{"$.description", "A shop that sells more things."},
		}},
		{"whole map same shape", "values.yaml", "values-map.golden.yaml", []editStep{
			{"$.image", map[string]any{"repository": "registry.example.com/shop", "tag": "1.6.0", "pullPolicy": "Always"}},
		}},
		{"whole map new shape", "values.yaml", "values-reshape.golden.yaml", []editStep{
			{"$.image", map[string]any{"repository": "ghcr.io/shop", "digest": "sha256:abc"}},
			{"$.deps[1]", map[string]any{"name": "redis", "version": "18.0.0"}},
			{"$.annotations", map[string]any{"team": "core"}},
		}},
		{"anchors and tags", "anchors.yaml", "anchors.golden.yaml", []editStep{
			{"$.worker.replicas", json.Number("4")},
			{"$.api.image.tag", "2.1"},
		}},
		{"no final newline", "chart-no-newline.yaml", "chart-no-newline.golden.yaml", []editStep{{"$.appVersion", "1.1"}, {"$.version", "0.2.0"}}},
		{"multi-document", "multi.yaml", "multi.golden.yaml", []editStep{{"$..containers[?@.name=='web' || @.name=='worker'].image", "web:1.1.0"}}},
		{"map with new keys, four spaces, comments", "peer-map-new-keys.yaml", "peer-map-new-keys.golden.yaml", []editStep{
			{"$.root.nested", map[string]any{"key1": "value1", "newKey1": "new1", "newKey2": "new2"}},
		}},
		{"longer list keeps comments", "peer-list-longer.yaml", "peer-list-longer.golden.yaml", []editStep{
			{"$.app.hosts", []any{"one.example.com", "two.example.com", "three.example.com", "four.example.com"}},
		}},
		{"merge key through a shared anchor", "peer-merge-anchor.yaml", "peer-merge-anchor.golden.yaml", []editStep{
			{"$.prod.image", "shop-prod"},
		}},
		{"growing a list, four spaces", "peer-list-grow.yaml", "peer-list-grow.golden.yaml", []editStep{
			{"$.server.args", []any{"--a", "--b", "--c"}},
		}},
		{"json", "values.json", "values.golden.json", []editStep{
			{"$.image.tag", "1.5.0"},
			{"$.deps[?@.name=='redis'].version", "18.0.0"},
			{"$['key-with-dash']", false},
			{"$.replicas", json.Number("3")},
			{"$.labels", map[string]any{"a": "b", "c": "d"}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", "edit", tt.input))
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range tt.steps {
				data = setAll(t, tt.input, data, s.query, s.value)
				found, err := Select(tt.input, data, s.query)
				if err != nil {
					t.Fatal(err)
				}
				for _, l := range found {
					if !equalValues(l.Value, s.value) {
						t.Errorf("%s at %s: got %#v, want %#v", s.query, l.Path, l.Value, s.value)
					}
				}
			}
			checkGolden(t, tt.golden, data)
		})
	}
}

func TestSelectErrors(t *testing.T) {
	data := []byte("image:\n  tag: v1\n")
	tests := []struct {
		name, query string
		want        error
	}{
		{"missing key", "$.image.digest", ErrPathNotFound},
		{"filter matches nothing", "$.deps[?@.name=='redis'].version", ErrPathNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Select("values.yaml", data, tt.query)
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
			if !strings.Contains(err.Error(), "values.yaml") || !strings.Contains(err.Error(), tt.query) {
				t.Errorf("got message %q, want it to name the file and the path", err)
			}
		})
	}
	_, err := SetValue("values.yaml", data, 0, "$['image']['digest']", "x")
	if !errors.Is(err, ErrPathNotFound) {
		t.Errorf("SetValue on a missing key: got %v, want ErrPathNotFound", err)
	}
}

func TestSelectKeepsScalarText(t *testing.T) {
	data := []byte("v: 1.10\nd: 2024-01-02\n1: one\nb: true\nn: ~\n")
	tests := []struct {
		query string
		want  any
	}{
		{"$.v", json.Number("1.10")},
		{"$.d", "2024-01-02"},
		{"$['1']", "one"},
		{"$.b", true},
		{"$.n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			got, err := Select("x.yaml", data, tt.query)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || !equalValues(got[0].Value, tt.want) {
				t.Errorf("got %#v, want %#v", got, tt.want)
			}
		})
	}
}
