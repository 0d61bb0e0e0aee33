package gitops

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	"github.com/theory/jsonpath/spec"
	"gopkg.in/yaml.v3"
)

// SetValue returns data with the value at a normalized path (such as
// $['image']['tag']) of document doc replaced by v, leaving every other
// byte of the file as it was. The file is JSON when name ends in .json and
// YAML otherwise.
//
// Scalars are spliced in place and keep their quoting style unless the new
// value needs quotes: a string written where the target is plain is quoted
// when the plain form would read as another type (yes, on, 0777, 1.10,
// null...). When a map or list replaces a block map or list, the edit is
// made in place: kept keys and items keep their lines and comments, new
// ones are added at their neighbours' indentation, removed ones leave with
// their lines. Only where that is impossible is the node rendered again, at
// its indentation. Every edit is checked by reading the file back: the
// addressed value must equal v and every other value must be unchanged,
// otherwise the result is an ErrEdit error.
//
// A value is never written through an alias or a merge key, which would
// change every key sharing the anchor: a key a mapping takes from a merge
// key is added to that mapping instead, and deeper paths are an ErrEdit
// error. A scalar written over a non-empty list or map is an ErrEdit error
// too.
//
// A path that does not exist in the file is an ErrPathNotFound error: keys
// are never created, because a target that lacks a key the source has is
// usually a template mistake that deserves a look.
func SetValue(name string, data []byte, doc int, path string, v any) ([]byte, error) {
	np, err := parseNormalized(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	var out []byte
	if isJSON(name) {
		if doc != 0 {
			return nil, fmt.Errorf("%s: document %d: %w", name, doc, ErrPathNotFound)
		}
		out, err = setJSON(data, np, v)
	} else {
		out, err = setYAML(data, doc, np, v)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %s: %w", name, path, err)
	}
	return out, nil
}

// setYAML sets one value of a YAML document, leaf by leaf where the shapes
// of the old and new values match.
func setYAML(data []byte, doc int, np spec.NormalizedPath, v any) ([]byte, error) {
	nodes, err := decodeYAMLNodes(data)
	if err != nil {
		return nil, err
	}
	if doc < 0 || doc >= len(nodes) {
		return nil, fmt.Errorf("document %d: %w", doc, ErrPathNotFound)
	}
	docs := make([]any, len(nodes))
	for i, n := range nodes {
		docs[i] = nodeToAny(n)
	}
	old, ok := valueAt(docs[doc], np)
	if !ok {
		return nil, ErrPathNotFound
	}
	if equalValues(old, v) {
		return data, nil
	}
	loc, ok := locateYAML(nodes[doc], np)
	if !ok {
		return nil, ErrPathNotFound
	}
	if loc.merged {
		return overrideMerged(data, doc, np, v)
	}
	if loc.shared != "" {
		return nil, fmt.Errorf("%w: this value is shared through %s, so changing it here would change every key that uses it; "+
			"change it where it is defined, or give this key its own value", ErrEdit, loc.shared)
	}
	if err := checkKinds(old, v); err != nil {
		return nil, err
	}
	if out, ok := reshapeYAML(data, doc, np, loc, old, v); ok {
		return out, nil
	}
	if children := sameShape(old, v); children != nil && loc.node.Kind != yaml.AliasNode {
		for _, c := range children {
			child, _ := valueAt(v, spec.NormalizedPath{c})
			if data, err = setYAML(data, doc, append(slices.Clone(np), c), child); err != nil {
				return nil, err
			}
		}
		return data, nil
	}
	t := newYAMLText(data)
	t.unit = indentUnit(nodes[doc])
	cands, err := yamlCandidates(t, loc, v)
	if err != nil {
		return nil, err
	}
	// The expected result is the node tree with that one node replaced, so a
	// node shared through an anchor changes everywhere it is used, exactly as
	// editing its text does.
	*loc.node = *anyToNode(v)
	for i, n := range nodes {
		docs[i] = nodeToAny(n)
	}
	for _, c := range cands {
		if yamlReadsBack(c, docs) {
			return c, nil
		}
	}
	return nil, fmt.Errorf("%w: no rendering of the new value reads back as intended", ErrEdit)
}

// yamlReadsBack reports whether out decodes to the documents want.
func yamlReadsBack(out []byte, want []any) bool {
	got, err := decodeDocs("x.yaml", out)
	return err == nil && equalValues(got, want)
}

// sameShape returns the child selectors to edit one by one when old and v
// are both maps with the same keys or both lists of the same length.
func sameShape(old, v any) []spec.NormalSelector {
	switch o := old.(type) {
	case map[string]any:
		n, ok := v.(map[string]any)
		if !ok || len(n) != len(o) || len(n) == 0 {
			return nil
		}
		var keys []string
		for k := range n {
			if _, ok := o[k]; !ok {
				return nil
			}
			keys = append(keys, k)
		}
		slices.Sort(keys)
		sels := make([]spec.NormalSelector, len(keys))
		for i, k := range keys {
			sels[i] = spec.Name(k)
		}
		return sels
	case []any:
		n, ok := v.([]any)
		if !ok || len(n) != len(o) || len(n) == 0 {
			return nil
		}
		sels := make([]spec.NormalSelector, len(n))
		for i := range n {
			sels[i] = spec.Index(i)
		}
		return sels
	}
	return nil
}

// yamlLoc is a node found by a normalized path, with its parent collection
// (nil at the document root) and, in a mapping, its key. A path that goes
// through an alias or a merge key reaches a node other keys share: shared
// says through what, unless only the last key comes from a merge key of a
// mapping the path owns (merged), where the key can be added.
type yamlLoc struct {
	node, parent, key *yaml.Node
	shared            string
	merged            bool
}

// locateYAML finds the node at np, following aliases and merge keys on the
// way.
func locateYAML(doc *yaml.Node, np spec.NormalizedPath) (yamlLoc, bool) {
	if len(doc.Content) == 0 {
		return yamlLoc{}, false
	}
	loc := yamlLoc{node: doc.Content[0]}
	for i, s := range np {
		cur := loc.node
		shared := loc.shared
		if cur.Kind == yaml.AliasNode {
			shared = cmp.Or(shared, "the alias *"+cur.Value)
			cur = cur.Alias
		}
		switch sel := s.(type) {
		case spec.Name:
			if cur.Kind != yaml.MappingNode {
				return yamlLoc{}, false
			}
			entries := mapEntries(cur)
			j := slices.IndexFunc(entries, func(e mapEntry) bool { return e.key == string(sel) })
			if j < 0 {
				return yamlLoc{}, false
			}
			e := entries[j]
			merged := !slices.Contains(ownKeys(cur), e.keyNode)
			loc = yamlLoc{node: e.value, parent: cur, key: e.keyNode, shared: shared}
			switch {
			case merged && shared == "" && i == len(np)-1:
				loc.merged = true
			case merged && shared == "":
				loc.shared = "a merge key (<<) of " + spec.NormalizedPath(np[:i]).String()
			}
		case spec.Index:
			if cur.Kind != yaml.SequenceNode || int(sel) < 0 || int(sel) >= len(cur.Content) {
				return yamlLoc{}, false
			}
			loc = yamlLoc{node: cur.Content[sel], parent: cur, shared: shared}
		}
	}
	return loc, true
}

// overrideMerged sets a key that a mapping takes from a merge key (<<) by
// adding it to that mapping, which overrides the merged value there and
// leaves the anchor, and every other key that merges it, as they were.
func overrideMerged(data []byte, doc int, np spec.NormalizedPath, v any) ([]byte, error) {
	parent := np[:len(np)-1]
	pv, err := valueIn(data, doc, parent)
	if err != nil {
		return nil, err
	}
	key := string(np[len(np)-1].(spec.Name))
	want := maps.Clone(pv.(map[string]any))
	want[key] = v
	out, err := addEntries(data, doc, parent, map[string]any{key: v}, want)
	if err != nil {
		return nil, fmt.Errorf("%w: the value comes from a merge key (<<) and cannot be added here: %w", ErrEdit, err)
	}
	return out, nil
}

// checkKinds refuses to write a scalar over a non-empty list or map: the
// source and target files disagree about the value's shape, which is a
// template mistake more often than an intended change.
func checkKinds(old, v any) error {
	if !isComposite(old) {
		return nil
	}
	switch v.(type) {
	case map[string]any, []any:
		return nil
	}
	what := "map"
	if _, ok := old.([]any); ok {
		what = "list"
	}
	return fmt.Errorf("%w: refusing to replace a %s with the single value %s: the files disagree about the shape of this value", ErrEdit, what, jsonText(v))
}

// yamlCandidates returns possible texts with the node at loc replaced by v,
// best first; the caller keeps the first that reads back correctly.
func yamlCandidates(t *yamlText, loc yamlLoc, v any) ([][]byte, error) {
	flow := loc.parent != nil && loc.parent.Style&yaml.FlowStyle != 0
	nl := newline(t.data)
	if isComposite(v) {
		return compositeCandidates(t, loc, v, flow, nl)
	}
	n := loc.node
	var out [][]byte
	if n.Kind == yaml.ScalarNode && n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		return blockCandidates(t, loc, v, nl)
	}
	if n.Kind == yaml.ScalarNode && isEmptyScalar(n) && loc.key != nil && !flow {
		// An implicit null has no text: write the value after the key's colon.
		at, err := keyColon(t, loc.key)
		if err != nil {
			return nil, err
		}
		for _, r := range inlineTexts(v, n, flow) {
			out = append(out, splice(t.data, span{at, at}, " "+r))
		}
		return out, nil
	}
	sp, err := replaceSpan(t, loc)
	if err != nil {
		return nil, err
	}
	for _, r := range inlineTexts(v, n, flow) {
		if sp.start > 0 && t.data[sp.start-1] == ':' {
			r = " " + r
		}
		out = append(out, splice(t.data, sp, r))
	}
	return out, nil
}

// replaceSpan is the text a new scalar replaces: the value of a scalar
// (keeping its anchor and tag), or the whole of an alias or collection. A
// block collection under a key is replaced from the key's colon so that
// the scalar lands on the key's line.
func replaceSpan(t *yamlText, loc yamlLoc) (span, error) {
	n := loc.node
	if n.Kind == yaml.ScalarNode {
		return t.scalarSpan(n)
	}
	start, err := t.nodeStart(n)
	if err != nil {
		return span{}, err
	}
	end, err := t.nodeEnd(n)
	if err != nil {
		return span{}, err
	}
	if loc.key != nil && n.Kind != yaml.AliasNode && n.Style&yaml.FlowStyle == 0 {
		colon, err := keyColon(t, loc.key)
		if err == nil && len(bytes.TrimSpace(t.data[colon:start])) == 0 {
			start = colon
		}
	}
	return span{start, end}, nil
}

// keyColon returns the offset just after the colon that ends a key.
func keyColon(t *yamlText, key *yaml.Node) (int, error) {
	end, err := t.nodeEnd(key)
	if err != nil {
		return 0, err
	}
	return t.colonAfter(end)
}

// splice returns data with sp replaced by text.
func splice(data []byte, sp span, text string) []byte {
	out := make([]byte, 0, len(data)-(sp.end-sp.start)+len(text))
	out = append(out, data[:sp.start]...)
	out = append(out, text...)
	return append(out, data[sp.end:]...)
}

// newline returns the line break the file uses.
func newline(data []byte) string {
	if bytes.Contains(data, []byte("\r\n")) {
		return "\r\n"
	}
	return "\n"
}

// isComposite reports a non-empty map or list.
func isComposite(v any) bool {
	switch x := v.(type) {
	case map[string]any:
		return len(x) > 0
	case []any:
		return len(x) > 0
	}
	return false
}

// jsonText renders v as compact JSON, which is also valid YAML flow.
func jsonText(v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "null"
	}
	return string(bytes.TrimRight(b.Bytes(), "\n"))
}
