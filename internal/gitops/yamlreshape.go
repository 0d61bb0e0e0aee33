package gitops

import (
	"fmt"
	"maps"
	"slices"

	"github.com/theory/jsonpath/spec"
	"gopkg.in/yaml.v3"
)

// reshapeYAML turns the block map or list at np into v in place: keys and
// items both have keep their text (and so their comments) and are edited
// one by one, new keys are added
// after the last one, new items where they belong, and keys and items v
// lacks are removed with their lines. New text takes the indentation of its
// neighbours and the file's indentation step. It reports false when the
// node cannot be edited this way (a flow collection, an alias, a merge key
// to remove...), leaving the caller to render the node again.
func reshapeYAML(data []byte, doc int, np spec.NormalizedPath, loc yamlLoc, old, v any) ([]byte, bool) {
	n := loc.node
	if n.Kind == yaml.AliasNode || n.Style&yaml.FlowStyle != 0 || !isComposite(v) || !isComposite(old) {
		return nil, false
	}
	var out []byte
	var err error
	switch o := old.(type) {
	case map[string]any:
		nv, ok := v.(map[string]any)
		if !ok || n.Kind != yaml.MappingNode {
			return nil, false
		}
		out, err = reshapeMap(data, doc, np, o, nv)
	case []any:
		nv, ok := v.([]any)
		if !ok || n.Kind != yaml.SequenceNode {
			return nil, false
		}
		out, err = reshapeList(data, doc, np, o, nv)
	default:
		return nil, false
	}
	return out, err == nil
}

// reshapeMap adds the keys v has and old lacks, edits the keys both have and
// removes the keys v lacks, in that order so the map is never empty.
func reshapeMap(data []byte, doc int, np spec.NormalizedPath, old, v map[string]any) ([]byte, error) {
	added := map[string]any{}
	for k, x := range v {
		if _, ok := old[k]; !ok {
			added[k] = x
		}
	}
	var err error
	if len(added) > 0 {
		want := maps.Clone(old)
		maps.Copy(want, added)
		if data, err = addEntries(data, doc, np, added, want); err != nil {
			return nil, err
		}
	}
	for _, k := range slices.Sorted(maps.Keys(v)) {
		if _, ok := old[k]; ok {
			if data, err = setYAML(data, doc, append(slices.Clone(np), spec.Name(k)), v[k]); err != nil {
				return nil, err
			}
		}
	}
	for _, k := range slices.Sorted(maps.Keys(old)) {
		if _, ok := v[k]; !ok {
			if data, err = removeEntry(data, doc, np, k); err != nil {
				return nil, err
			}
		}
	}
	return data, nil
}

// reshapeList matches the items of old and v (items equal in both stay as
// they are), then, from the last difference to the first, edits the items
// that take another's place and inserts or removes the rest.
func reshapeList(data []byte, doc int, np spec.NormalizedPath, old, v []any) ([]byte, error) {
	hunks := listHunks(old, v)
	var err error
	for h := len(hunks) - 1; h >= 0; h-- {
		d := hunks[h]
		k := min(d.i2-d.i1, d.j2-d.j1)
		if d.j2-d.j1 > k {
			if data, err = insertItems(data, doc, np, d.i1+k, v[d.j1+k:d.j2]); err != nil {
				return nil, err
			}
		}
		for i := d.i2 - 1; i >= d.i1+k; i-- {
			if data, err = removeItem(data, doc, np, i); err != nil {
				return nil, err
			}
		}
		for t := range k {
			if data, err = setYAML(data, doc, append(slices.Clone(np), spec.Index(d.i1+t)), v[d.j1+t]); err != nil {
				return nil, err
			}
		}
	}
	return data, nil
}

// hunk is a run of items that differ: old[i1:i2] becomes v[j1:j2].
type hunk struct{ i1, i2, j1, j2 int }

// maxLCS bounds the work of matching list items; longer lists are matched
// by position.
const maxLCS = 250_000

// listHunks returns the differing runs between old and v, in order, from a
// longest common subsequence of equal items.
func listHunks(old, v []any) []hunk {
	n, m := len(old), len(v)
	if n*m > maxLCS {
		return []hunk{{0, n, 0, m}}
	}
	// l[i][j] is the length of the longest common subsequence of old[i:] and v[j:].
	l := make([][]int, n+1)
	for i := range l {
		l[i] = make([]int, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if equalValues(old[i], v[j]) {
				l[i][j] = l[i+1][j+1] + 1
			} else {
				l[i][j] = max(l[i+1][j], l[i][j+1])
			}
		}
	}
	var out []hunk
	cur := hunk{}
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && equalValues(old[i], v[j]):
			if cur.i1 != i || cur.j1 != j {
				out = append(out, hunk{cur.i1, i, cur.j1, j})
			}
			i, j = i+1, j+1
			cur = hunk{i1: i, j1: j}
		case j < m && (i == n || l[i][j+1] >= l[i+1][j]):
			j++
		default:
			i++
		}
	}
	if cur.i1 != n || cur.j1 != m {
		out = append(out, hunk{cur.i1, n, cur.j1, m})
	}
	return out
}

// locateBlock decodes data and finds the block collection of kind at np.
func locateBlock(data []byte, doc int, np spec.NormalizedPath, kind yaml.Kind) (*yamlText, *yaml.Node, yamlLoc, error) {
	nodes, err := decodeYAMLNodes(data)
	if err != nil {
		return nil, nil, yamlLoc{}, err
	}
	if doc < 0 || doc >= len(nodes) {
		return nil, nil, yamlLoc{}, ErrPathNotFound
	}
	loc, ok := locateYAML(nodes[doc], np)
	if !ok || loc.node.Kind != kind || loc.node.Style&yaml.FlowStyle != 0 || len(loc.node.Content) == 0 {
		return nil, nil, yamlLoc{}, fmt.Errorf("%w: not a block collection", ErrEdit)
	}
	return newYAMLText(data), nodes[doc], loc, nil
}

// checkReshape verifies that out reads as data with the value at np
// replaced by want and nothing else changed.
func checkReshape(data, out []byte, doc int, np spec.NormalizedPath, want any) ([]byte, error) {
	docs, err := decodeDocs("x.yaml", data)
	if err != nil {
		return nil, err
	}
	if docs[doc], err = expectedDoc(data, doc, np, want); err != nil {
		return nil, err
	}
	if !yamlReadsBack(out, docs) {
		return nil, fmt.Errorf("%w: the edit does not read back", ErrEdit)
	}
	return out, nil
}

// expectedDoc is document doc of data once the node at np holds want: a
// node shared through an anchor changes everywhere it is used, as editing
// its text does.
func expectedDoc(data []byte, doc int, np spec.NormalizedPath, want any) (any, error) {
	nodes, err := decodeYAMLNodes(data)
	if err != nil {
		return nil, err
	}
	loc, ok := locateYAML(nodes[doc], np)
	if !ok {
		return nil, ErrPathNotFound
	}
	*loc.node = *anyToNode(want)
	return nodeToAny(nodes[doc]), nil
}
