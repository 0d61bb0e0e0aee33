// Package gitops reads, edits, diffs, commits and pushes the values that
// Ladder promotes between GitOps environments, and watches repositories for
// new commits.
//
// Values inside YAML and JSON files are addressed with RFC 9535 JSONPath.
// Edits are byte splices: everything in a file except the addressed values
// stays exactly as it was (comments, key order, quoting, indentation).
package gitops

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"reflect"
	"strings"

	"github.com/theory/jsonpath"
	"github.com/theory/jsonpath/spec"
	"gopkg.in/yaml.v3"
)

// ErrPathNotFound reports a JSONPath that matches nothing in a file.
var ErrPathNotFound = errors.New("path matches nothing")

// ErrFileNotFound reports a file named by a template that does not exist.
var ErrFileNotFound = errors.New("file not found")

// ErrJSONPathSyntax reports a query that is not valid RFC 9535 JSONPath.
var ErrJSONPathSyntax = errors.New("JSONPath syntax error")

// ErrEdit reports an edit that could not be made without disturbing other
// values (for example a value shared through a YAML anchor).
var ErrEdit = errors.New("cannot edit value")

// Located is one value selected in a file: the document it is in (for
// multi-document YAML; 0 otherwise), its RFC 9535 normalized path such as
// $['image']['tag'], the query that selected it, and the value itself.
//
// Values are strings, json.Number (YAML !!int and !!float keep their text,
// so 1.10 stays "1.10"), bool, nil, []any and map[string]any.
type Located struct {
	Query string `json:"query"`
	Doc   int    `json:"doc"`
	Path  string `json:"path"`
	Value any    `json:"value"`
}

// isJSON reports whether name is edited as JSON rather than YAML.
func isJSON(name string) bool {
	return strings.EqualFold(path.Ext(name), ".json")
}

// decodeDocs decodes every document of a file into plain values.
func decodeDocs(name string, data []byte) ([]any, error) {
	if isJSON(name) {
		v, err := decodeJSON(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		return []any{v}, nil
	}
	nodes, err := decodeYAMLNodes(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	docs := make([]any, len(nodes))
	for i, n := range nodes {
		docs[i] = nodeToAny(n)
	}
	return docs, nil
}

// decodeJSON decodes a JSON document keeping numbers as json.Number.
func decodeJSON(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("unexpected data after the JSON value")
	}
	return v, nil
}

// decodeYAMLNodes decodes every document of a YAML stream.
func decodeYAMLNodes(data []byte) ([]*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var docs []*yaml.Node
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if err == io.EOF {
			return docs, nil
		}
		if err != nil {
			return nil, err
		}
		// Decoding into a plain value runs yaml.v3's checks for an anchor that
		// contains itself and for alias bombs, which a Node tree skips.
		var check any
		if err := n.Decode(&check); err != nil {
			return nil, err
		}
		if budget := maxExpandedNodes; !withinBudget(&n, &budget) {
			return nil, fmt.Errorf("document %d expands to more than %d values through aliases", len(docs), maxExpandedNodes)
		}
		docs = append(docs, &n)
	}
}

// maxExpandedNodes bounds the size of a document with its aliases expanded.
const maxExpandedNodes = 100_000

// withinBudget counts the nodes of a tree, following aliases, and reports
// false once more than *budget were seen.
func withinBudget(n *yaml.Node, budget *int) bool {
	if *budget--; *budget < 0 {
		return false
	}
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		return withinBudget(n.Alias, budget)
	}
	for _, c := range n.Content {
		if !withinBudget(c, budget) {
			return false
		}
	}
	return true
}

// nodeToAny converts a yaml.Node tree to plain values. Strings, dates and
// numbers keep their text (numbers as json.Number) and every key becomes a
// string, so JSONPath queries see exactly what the file says.
func nodeToAny(n *yaml.Node) any {
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil
		}
		return nodeToAny(n.Content[0])
	case yaml.AliasNode:
		return nodeToAny(n.Alias)
	case yaml.SequenceNode:
		list := make([]any, len(n.Content))
		for i, c := range n.Content {
			list[i] = nodeToAny(c)
		}
		return list
	case yaml.MappingNode:
		m := map[string]any{}
		for _, e := range mapEntries(n) {
			m[e.key] = nodeToAny(e.value)
		}
		return m
	}
	return scalarToAny(n)
}

// scalarToAny converts one scalar by its resolved tag.
func scalarToAny(n *yaml.Node) any {
	switch n.ShortTag() {
	case "!!null":
		return nil
	case "!!bool":
		return strings.EqualFold(n.Value, "true")
	case "!!int", "!!float":
		return json.Number(n.Value)
	}
	return n.Value
}

// mapEntry is one key of a YAML mapping with the node holding its value.
type mapEntry struct {
	key     string
	keyNode *yaml.Node
	value   *yaml.Node
}

// mapEntries lists the keys of a mapping in file order, resolving merge keys
// (<<) the way YAML does: explicit keys win over merged ones and earlier
// merge sources win over later ones.
func mapEntries(n *yaml.Node) []mapEntry {
	var own, merged []mapEntry
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge" {
			merged = append(merged, mergeSources(v)...)
			continue
		}
		key := keyString(k)
		own = append(own, mapEntry{key, k, v})
		seen[key] = true
	}
	for _, e := range merged {
		if !seen[e.key] {
			own = append(own, e)
			seen[e.key] = true
		}
	}
	return own
}

// mergeSources returns the entries a merge key brings in.
func mergeSources(v *yaml.Node) []mapEntry {
	if v.Kind == yaml.AliasNode {
		v = v.Alias
	}
	switch v.Kind {
	case yaml.MappingNode:
		return mapEntries(v)
	case yaml.SequenceNode:
		var all []mapEntry
		for _, c := range v.Content {
			all = append(all, mergeSources(c)...)
		}
		return all
	}
	return nil
}

// keyString turns any mapping key into a string (non-string keys such as 1
// or true keep their text).
func keyString(k *yaml.Node) string {
	if k.Kind == yaml.AliasNode {
		k = k.Alias
	}
	if k.Kind == yaml.ScalarNode {
		return k.Value
	}
	b, _ := json.Marshal(nodeToAny(k))
	return string(b)
}

// selectValues evaluates a JSONPath query on every document of a file.
func selectValues(name string, docs []any, query string) ([]Located, error) {
	p, err := jsonpath.Parse(query)
	if err != nil {
		if hint := JSONPathHint(query); hint != "" {
			return nil, fmt.Errorf("%w in %s: %s", ErrJSONPathSyntax, query, hint)
		}
		return nil, fmt.Errorf("%w in %s: %w", ErrJSONPathSyntax, query, err)
	}
	var out []Located
	for i, doc := range docs {
		list := p.SelectLocated(doc)
		list.Sort()
		for _, ln := range list {
			out = append(out, Located{Query: query, Doc: i, Path: ln.Path.String(), Value: ln.Node})
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: %s: %w", name, query, ErrPathNotFound)
	}
	return out, nil
}

// JSONPathHint suggests the fix for a query written without its leading $ ("image.tag",
// ".image.tag", "$image.tag", "['image']"): "did you mean $.image.tag?". It is empty when
// the query starts right or no such fix parses.
func JSONPathHint(query string) string {
	q := strings.TrimSpace(query)
	var fixed string
	switch {
	case q == "" || q == "$" || strings.HasPrefix(q, "$.") || strings.HasPrefix(q, "$["):
		return ""
	case strings.HasPrefix(q, "$"):
		fixed = "$." + q[1:]
	case strings.HasPrefix(q, ".") || strings.HasPrefix(q, "["):
		fixed = "$" + q
	default:
		fixed = "$." + q
	}
	if _, err := jsonpath.Parse(fixed); err != nil {
		return ""
	}
	return "did you mean " + fixed + "?"
}

// Select returns the values a JSONPath query selects in a YAML or JSON file
// (the format is chosen by the file name's extension: .json is JSON,
// anything else YAML). A query that matches nothing is ErrPathNotFound.
func Select(name string, data []byte, query string) ([]Located, error) {
	docs, err := decodeDocs(name, data)
	if err != nil {
		return nil, err
	}
	return selectValues(name, docs, query)
}

// parseNormalized parses a normalized path such as $['a'][0] into its
// selectors.
func parseNormalized(p string) (spec.NormalizedPath, error) {
	jp, err := jsonpath.Parse(p)
	if err != nil {
		return nil, err
	}
	var np spec.NormalizedPath
	for _, seg := range jp.Query().Segments() {
		sels := seg.Selectors()
		if seg.IsDescendant() || len(sels) != 1 {
			return nil, fmt.Errorf("%s is not a normalized path", p)
		}
		switch s := sels[0].(type) {
		case spec.Name:
			np = append(np, s)
		case spec.Index:
			np = append(np, s)
		default:
			return nil, fmt.Errorf("%s is not a normalized path", p)
		}
	}
	return np, nil
}

// replaceAt returns a copy of doc with the value at np replaced by v. It
// reports false when np does not exist in doc.
func replaceAt(doc any, np spec.NormalizedPath, v any) (any, bool) {
	if len(np) == 0 {
		return v, true
	}
	switch sel := np[0].(type) {
	case spec.Name:
		m, ok := doc.(map[string]any)
		if !ok {
			return nil, false
		}
		child, ok := m[string(sel)]
		if !ok {
			return nil, false
		}
		nv, ok := replaceAt(child, np[1:], v)
		if !ok {
			return nil, false
		}
		out := make(map[string]any, len(m))
		for k, x := range m {
			out[k] = x
		}
		out[string(sel)] = nv
		return out, true
	case spec.Index:
		l, ok := doc.([]any)
		if !ok || int(sel) < 0 || int(sel) >= len(l) {
			return nil, false
		}
		nv, ok := replaceAt(l[sel], np[1:], v)
		if !ok {
			return nil, false
		}
		out := append([]any(nil), l...)
		out[sel] = nv
		return out, true
	}
	return nil, false
}

// valueAt returns the value at np in doc.
func valueAt(doc any, np spec.NormalizedPath) (any, bool) {
	for _, s := range np {
		switch sel := s.(type) {
		case spec.Name:
			m, ok := doc.(map[string]any)
			if !ok {
				return nil, false
			}
			if doc, ok = m[string(sel)]; !ok {
				return nil, false
			}
		case spec.Index:
			l, ok := doc.([]any)
			if !ok || int(sel) < 0 || int(sel) >= len(l) {
				return nil, false
			}
			doc = l[sel]
		}
	}
	return doc, true
}

// equalValues compares two decoded values.
func equalValues(a, b any) bool {
	return reflect.DeepEqual(a, b)
}
