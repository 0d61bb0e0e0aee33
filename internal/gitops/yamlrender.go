package gitops

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// inlineTexts renders a scalar (or empty collection) for one line, best
// first: the old node's quoting style when the value allows it, then double
// quotes.
func inlineTexts(v any, old *yaml.Node, flow bool) []string {
	switch x := v.(type) {
	case nil:
		return []string{"null"}
	case bool:
		return []string{fmt.Sprint(x)}
	case json.Number:
		return []string{string(x)}
	case map[string]any:
		return []string{"{}"}
	case []any:
		return []string{"[]"}
	case string:
		dq := doubleQuoted(x)
		switch {
		case old != nil && old.Kind == yaml.ScalarNode && old.Style&yaml.SingleQuotedStyle != 0 && singleQuotable(x):
			return []string{"'" + strings.ReplaceAll(x, "'", "''") + "'", dq}
		case old != nil && old.Kind == yaml.ScalarNode && old.Style&yaml.DoubleQuotedStyle != 0:
			return []string{dq}
		case plainSafe(x, flow), plainDate(x, old):
			return []string{x, dq}
		}
		return []string{dq}
	}
	return []string{jsonText(v)}
}

// doubleQuoted renders s as a YAML double-quoted scalar, escaping what YAML
// does not allow as printable text.
func doubleQuoted(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case yamlPrintable(r) && r != 0x85 && r != 0x2028 && r != 0x2029:
			b.WriteRune(r)
		case r <= 0xffff:
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			fmt.Fprintf(&b, `\U%08X`, r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// yamlPrintable reports the characters YAML accepts as text.
func yamlPrintable(r rune) bool {
	switch {
	case r == utf8.RuneError:
		return false
	case r >= 0x20 && r <= 0x7e:
		return true
	case r == 0x85 || (r >= 0xa0 && r <= 0xd7ff):
		return true
	case r >= 0xe000 && r <= 0xfffd && r != 0xfeff:
		return true
	}
	return r >= 0x10000 && r <= 0x10ffff
}

// singleQuotable reports whether s fits in a one-line single-quoted scalar.
func singleQuotable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if !yamlPrintable(r) || r == 0x85 || r == 0x2028 || r == 0x2029 {
			return false
		}
	}
	return s == strings.TrimSpace(s)
}

// sexagesimal matches YAML 1.1 base-60 numbers such as 1:20.
var sexagesimal = regexp.MustCompile(`^[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?$`)

// numberLike reports text that a YAML 1.1 reader (Helm and most Kubernetes
// tools use one) could take for a number: 0777, 1_000, 0x1f, 1e3, 1:20 ...
// Version strings such as 1.2.3 are not numbers there.
func numberLike(s string) bool {
	plain := strings.ReplaceAll(s, "_", "")
	if _, err := strconv.ParseInt(plain, 0, 64); err == nil {
		return true
	}
	if _, err := strconv.ParseUint(plain, 0, 64); err == nil {
		return true
	}
	if _, err := strconv.ParseFloat(plain, 64); err == nil {
		return true
	}
	low := strings.ToLower(strings.TrimLeft(s, "+-"))
	return sexagesimal.MatchString(s) || low == ".inf" || low == ".nan"
}

// oldBools are the YAML 1.1 booleans and nulls that YAML 1.2 reads as strings.
var oldBools = []string{"y", "yes", "n", "no", "on", "off", "true", "false", "null", "~"}

// plainSafe reports whether s can be written without quotes and still read
// as the same string by YAML 1.1 and 1.2 readers.
func plainSafe(s string, flow bool) bool {
	if s == "" || s != strings.TrimSpace(s) || !singleQuotable(s) || strings.ContainsAny(s, "\t") {
		return false
	}
	if strings.ContainsRune("?:,[]{}#&*!|>'\"%@`", rune(s[0])) || (s[0] == '-' && (len(s) == 1 || s[1] == ' ')) {
		return false
	}
	if strings.Contains(s, ": ") || strings.Contains(s, " #") || strings.HasSuffix(s, ":") {
		return false
	}
	if flow && strings.ContainsAny(s, ",[]{}") {
		return false
	}
	if numberLike(s) || slices.Contains(oldBools, strings.ToLower(s)) {
		return false
	}
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(s), &n); err != nil || len(n.Content) != 1 {
		return false
	}
	c := n.Content[0]
	return c.Kind == yaml.ScalarNode && c.ShortTag() == "!!str" && c.Value == s
}

// plainDate reports a date written over a plain date (2024-01-01): it stays
// plain, so its type in the file does not change. Helm and Ladder read a
// plain date as its text; a YAML 1.2 reader that knows timestamps reads
// both the old and the new value as a timestamp.
func plainDate(s string, old *yaml.Node) bool {
	if old == nil || old.Kind != yaml.ScalarNode || old.Style != 0 || old.ShortTag() != "!!timestamp" {
		return false
	}
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(s), &n); err != nil || len(n.Content) != 1 {
		return false
	}
	c := n.Content[0]
	return c.Kind == yaml.ScalarNode && c.ShortTag() == "!!timestamp" && c.Value == s
}

// blockCandidates replaces a literal or folded block scalar: a string stays
// a block scalar with the same indentation; anything else (and a string the
// block form cannot hold) is written inline on the header's line.
func blockCandidates(t *yamlText, loc yamlLoc, v any, nl string) ([][]byte, error) {
	sp, err := t.scalarSpan(loc.node)
	if err != nil {
		return nil, err
	}
	b, err := t.blockScalar(sp.start)
	if err != nil {
		return nil, err
	}
	rest := string(t.data[b.header.end:b.lineEnd])
	var out [][]byte
	if s, ok := v.(string); ok {
		indent := b.indent
		if !b.hasContent {
			indent = contextIndent(loc, t.unit)
		}
		folded := loc.node.Style&yaml.FoldedStyle != 0
		if text, ok := blockText(s, folded, indent, nl); ok {
			header, body, _ := strings.Cut(text, nl)
			out = append(out, splice(t.data, span{b.header.start, b.end}, header+rest+nl+body))
		}
	}
	for _, r := range inlineTexts(v, nil, false) {
		out = append(out, splice(t.data, span{b.header.start, b.end}, r+rest))
	}
	return out, nil
}

// blockText renders s as a block scalar (header line, then content lines
// indented by indent). Folded style is kept only for one-line values.
func blockText(s string, folded bool, indent int, nl string) (string, bool) {
	core := strings.TrimRight(s, "\n")
	trailing := len(s) - len(core)
	if core == "" || core[0] == ' ' || core[0] == '\t' || strings.ContainsRune(core, '\r') {
		return "", false
	}
	for _, r := range core {
		if r != '\n' && r != '\t' && (!yamlPrintable(r) || r == 0x85 || r == 0x2028 || r == 0x2029) {
			return "", false
		}
	}
	lines := strings.Split(core, "\n")
	header := "|"
	if folded && len(lines) == 1 {
		header = ">"
	}
	switch {
	case trailing == 0:
		header += "-"
	case trailing > 1:
		header += "+"
		lines = append(lines, make([]string, trailing-1)...)
	}
	pad := strings.Repeat(" ", indent)
	for i, l := range lines {
		if l != "" {
			lines[i] = pad + l
		}
	}
	return header + nl + strings.Join(lines, nl), true
}

// contextIndent is the indentation for new block content under loc, one
// indentation step in.
func contextIndent(loc yamlLoc, unit int) int {
	switch {
	case loc.key != nil:
		return loc.key.Column - 1 + unit
	case loc.parent != nil:
		return loc.parent.Column - 1 + unit
	}
	return unit
}

// compositeCandidates replaces a node by a non-empty map or list whose shape
// differs from the old value: rendered as block YAML at the node's
// indentation, or as a flow (JSON) value inside flow collections and as a
// fallback.
func compositeCandidates(t *yamlText, loc yamlLoc, v any, flow bool, nl string) ([][]byte, error) {
	n := loc.node
	start, err := t.nodeStart(n)
	if err != nil {
		return nil, err
	}
	end, err := t.nodeEnd(n)
	if err != nil {
		return nil, err
	}
	var out [][]byte
	flowText := yamlFlow(v)
	if flow || n.Style&yaml.FlowStyle != 0 {
		// A flow collection stays in flow style.
		out = append(out, splice(t.data, span{start, end}, flowText))
	}
	if !flow {
		block := yamlBlockUnit(v, t.unit)
		if loc.key != nil {
			colon, err := keyColon(t, loc.key)
			if err == nil && len(bytes.TrimSpace(t.data[colon:start])) == 0 {
				text := nl + indentLines(block, contextIndent(loc, t.unit), true, nl)
				out = append(out, splice(t.data, span{colon, end}, text))
			}
		}
		text := indentLines(block, n.Column-1, false, nl)
		out = append(out, splice(t.data, span{start, end}, text))
	}
	out = append(out, splice(t.data, span{start, end}, flowText), splice(t.data, span{start, end}, jsonText(v)))
	return out, nil
}

// yamlFlow renders v as one line of flow YAML ({a: 1, b: [x]}).
func yamlFlow(v any) string {
	n := anyToNode(v)
	setFlow(n)
	out, err := yaml.Marshal(n)
	if err != nil || bytes.Count(bytes.TrimRight(out, "\n"), []byte("\n")) > 0 {
		return jsonText(v)
	}
	return string(bytes.TrimRight(out, "\n"))
}

// setFlow marks every collection of a node tree as flow style.
func setFlow(n *yaml.Node) {
	if n.Kind != yaml.ScalarNode {
		n.Style = yaml.FlowStyle
	}
	for _, c := range n.Content {
		setFlow(c)
	}
}

// indentLines joins lines with nl, indenting all of them (or all but the
// first) by indent spaces; empty lines stay empty.
func indentLines(lines []string, indent int, first bool, nl string) string {
	pad := strings.Repeat(" ", indent)
	out := make([]string, len(lines))
	for i, l := range lines {
		if l != "" && (first || i > 0) {
			l = pad + l
		}
		out[i] = l
	}
	return strings.Join(out, nl)
}

// yamlBlockUnit renders v as block YAML lines (map keys sorted), nested
// lines indented by unit spaces.
func yamlBlockUnit(v any, unit int) []string {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(unit)
	if err := enc.Encode(anyToNode(v)); err != nil {
		return []string{jsonText(v)}
	}
	return strings.Split(strings.TrimRight(b.String(), "\n"), "\n")
}

// anyToNode builds a yaml.Node for a plain value.
func anyToNode(v any) *yaml.Node {
	switch x := v.(type) {
	case map[string]any:
		n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: k}, anyToNode(x[k]))
		}
		return n
	case []any:
		n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		for _, c := range x {
			n.Content = append(n.Content, anyToNode(c))
		}
		return n
	case string:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: x}
	case json.Number:
		tag := "!!int"
		if strings.ContainsAny(string(x), ".eE") {
			tag = "!!float"
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: string(x)}
	case bool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: fmt.Sprint(x)}
	}
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}
}
