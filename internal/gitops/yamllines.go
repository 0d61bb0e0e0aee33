package gitops

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/theory/jsonpath/spec"
	"gopkg.in/yaml.v3"
)

// addEntries adds the keys of added to the block map at np, after its last
// key's line, at the indentation of its keys; want is the map's value
// afterwards.
func addEntries(data []byte, doc int, np spec.NormalizedPath, added map[string]any, want any) ([]byte, error) {
	t, _, loc, err := locateBlock(data, doc, np, yaml.MappingNode)
	if err != nil {
		return nil, err
	}
	n := loc.node
	first, err := t.nodeStart(n.Content[0])
	if err != nil {
		return nil, err
	}
	end, err := t.nodeEnd(n)
	if err != nil {
		return nil, err
	}
	indent, ok := t.onlySpacesBefore(first)
	if !ok {
		// The first key follows a "- " or "? ": the keys after it line up with it.
		indent = t.column(first)
	}
	nl := newline(data)
	text := indentLines(yamlBlockUnit(added, t.unit), indent, true, nl) + nl
	out := t.insertAfterLine(end, text, nl)
	return checkReshape(data, out, doc, np, want)
}

// removeEntry removes one key of the block map at np with its lines.
func removeEntry(data []byte, doc int, np spec.NormalizedPath, key string) ([]byte, error) {
	t, _, loc, err := locateBlock(data, doc, np, yaml.MappingNode)
	if err != nil {
		return nil, err
	}
	n := loc.node
	i := slices.IndexFunc(ownKeys(n), func(k *yaml.Node) bool { return keyString(k) == key })
	if i < 0 {
		return nil, fmt.Errorf("%w: %q comes from a merge key (<<) and cannot be removed here", ErrEdit, key)
	}
	k, val := n.Content[2*i], n.Content[2*i+1]
	start, err := t.nodeStart(k)
	if err != nil {
		return nil, err
	}
	var sp span
	if _, ok := t.onlySpacesBefore(start); ok {
		end, err := t.entryEnd(k, val)
		if err != nil {
			return nil, err
		}
		sp = span{t.lineStart(start), t.afterLine(end)}
	} else if 2*i+2 < len(n.Content) {
		// The key follows a "- ": the next key moves up to take its place.
		next, err := t.nodeStart(n.Content[2*i+2])
		if err != nil {
			return nil, err
		}
		sp = span{start, next}
	} else {
		return nil, fmt.Errorf("%w: cannot remove the only key of a list item", ErrEdit)
	}
	old, err := valueIn(data, doc, np)
	if err != nil {
		return nil, err
	}
	want := maps.Clone(old.(map[string]any))
	delete(want, key)
	return checkReshape(data, splice(data, sp, ""), doc, np, want)
}

// insertItems inserts items into the block list at np before the item at
// index at (at the end when at is its length), lined up with its dashes.
func insertItems(data []byte, doc int, np spec.NormalizedPath, at int, items []any) ([]byte, error) {
	t, _, loc, err := locateBlock(data, doc, np, yaml.SequenceNode)
	if err != nil {
		return nil, err
	}
	n := loc.node
	dash, err := t.itemDash(n.Content[0])
	if err != nil {
		return nil, err
	}
	indent, _ := t.onlySpacesBefore(dash)
	step := 2
	if s, err := t.nodeStart(n.Content[0]); err == nil && t.lineStart(s) == t.lineStart(dash) && s-dash >= 2 && s-dash <= 8 {
		step = s - dash // as in "-   name: web"
	}
	nl := newline(data)
	var b strings.Builder
	for _, it := range items {
		for j, l := range yamlBlockUnit(it, t.unit) {
			prefix := strings.Repeat(" ", step)
			if j == 0 {
				prefix = "-" + prefix[1:]
			}
			if l != "" || j == 0 {
				l = strings.TrimRight(prefix+l, " ")
			}
			b.WriteString(strings.Repeat(" ", indent) + l + nl)
		}
	}
	var out []byte
	if at == 0 {
		out = splice(data, span{t.lineStart(dash), t.lineStart(dash)}, b.String())
	} else {
		end, err := t.nodeEnd(n.Content[at-1])
		if err != nil {
			return nil, err
		}
		out = t.insertAfterLine(end, b.String(), nl)
	}
	old, err := valueIn(data, doc, np)
	if err != nil {
		return nil, err
	}
	want := slices.Insert(slices.Clone(old.([]any)), at, items...)
	return checkReshape(data, out, doc, np, want)
}

// removeItem removes the item at index i of the block list at np with its
// lines.
func removeItem(data []byte, doc int, np spec.NormalizedPath, i int) ([]byte, error) {
	t, _, loc, err := locateBlock(data, doc, np, yaml.SequenceNode)
	if err != nil {
		return nil, err
	}
	item := loc.node.Content[i]
	dash, err := t.itemDash(item)
	if err != nil {
		return nil, err
	}
	end, err := t.nodeEnd(item)
	if err != nil {
		return nil, err
	}
	old, err := valueIn(data, doc, np)
	if err != nil {
		return nil, err
	}
	want := slices.Delete(slices.Clone(old.([]any)), i, i+1)
	return checkReshape(data, splice(data, span{t.lineStart(dash), t.afterLine(end)}, ""), doc, np, want)
}

// valueIn returns the value at np in document doc of data.
func valueIn(data []byte, doc int, np spec.NormalizedPath) (any, error) {
	docs, err := decodeDocs("x.yaml", data)
	if err != nil {
		return nil, err
	}
	v, ok := valueAt(docs[doc], np)
	if !ok {
		return nil, ErrPathNotFound
	}
	return v, nil
}

// ownKeys lists the keys written in a mapping itself (not merged into it).
func ownKeys(n *yaml.Node) []*yaml.Node {
	var keys []*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		keys = append(keys, n.Content[i])
	}
	return slices.DeleteFunc(keys, func(k *yaml.Node) bool { return k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge" })
}

// entryEnd returns the offset after a map entry's value (after the colon
// for an implicit null).
func (t *yamlText) entryEnd(k, v *yaml.Node) (int, error) {
	if isEmptyScalar(v) {
		return keyColon(t, k)
	}
	return t.nodeEnd(v)
}

// itemDash returns the offset of the "-" that starts a list item, which
// must be the first thing on its line.
func (t *yamlText) itemDash(item *yaml.Node) (int, error) {
	if isEmptyScalar(item) {
		return 0, fmt.Errorf("%w: an empty list item", ErrEdit)
	}
	s, err := t.nodeStart(item)
	if err != nil {
		return 0, err
	}
	p := s - 1
	for p >= 0 && t.data[p] == ' ' {
		p--
	}
	if p < 0 || t.data[p] != '-' {
		return 0, fmt.Errorf("%w: list item without its dash", ErrEdit)
	}
	if _, ok := t.onlySpacesBefore(p); !ok {
		return 0, fmt.Errorf("%w: a list item that shares its line", ErrEdit)
	}
	return p, nil
}

// lineStart returns the offset where the line holding off starts.
func (t *yamlText) lineStart(off int) int {
	for off > 0 && t.data[off-1] != '\n' && t.data[off-1] != '\r' {
		off--
	}
	return off
}

// onlySpacesBefore reports the column of off when only spaces precede it
// on its line.
func (t *yamlText) onlySpacesBefore(off int) (int, bool) {
	ls := t.lineStart(off)
	if len(bytes.Trim(t.data[ls:off], " ")) > 0 {
		return 0, false
	}
	return off - ls, true
}

// column returns the column (in bytes, from 0) of off; callers use it only
// after ASCII indentation such as "- ".
func (t *yamlText) column(off int) int {
	return off - t.lineStart(off)
}

// afterLine returns the offset after the line break that ends the line
// holding off (the end of the text when the line has none).
func (t *yamlText) afterLine(off int) int {
	for off < len(t.data) && t.data[off] != '\n' && t.data[off] != '\r' {
		off++
	}
	return skipBreak(t.data, off)
}

// insertAfterLine inserts whole lines of text after the line holding off.
func (t *yamlText) insertAfterLine(off int, text, nl string) []byte {
	at := t.afterLine(off)
	if at == len(t.data) && (at == 0 || (t.data[at-1] != '\n' && t.data[at-1] != '\r')) {
		text = nl + strings.TrimSuffix(text, nl)
	}
	return splice(t.data, span{at, at}, text)
}

// indentUnit returns the indentation step the file uses most for nested
// maps (2 when it has none).
func indentUnit(root *yaml.Node) int {
	count := map[int]int{}
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Kind == yaml.MappingNode && n.Style&yaml.FlowStyle == 0 {
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				if v.Kind == yaml.MappingNode && v.Style&yaml.FlowStyle == 0 && len(v.Content) > 0 &&
					v.Content[0].Line > k.Line && v.Content[0].Column > k.Column {
					count[v.Content[0].Column-k.Column]++
				}
			}
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(root)
	unit, best := 2, 0
	for _, u := range slices.Sorted(maps.Keys(count)) {
		if count[u] > best && u <= 8 {
			unit, best = u, count[u]
		}
	}
	return unit
}
