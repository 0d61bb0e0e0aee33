package gitops

import (
	"bytes"
	"errors"
	"fmt"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// yamlText maps yaml.v3 positions (1-based lines, columns counted in
// characters, not bytes) to byte offsets of the original text.
type yamlText struct {
	data  []byte
	lines []int // byte offset where each line starts
	bom   int   // length of a leading byte order mark
	unit  int   // the file's indentation step, for new nested lines
}

// newYAMLText indexes the line starts of data, counting line breaks the way
// the YAML reader does (\r\n, \r, \n, NEL, LS and PS).
func newYAMLText(data []byte) *yamlText {
	t := &yamlText{data: data, lines: []int{0}, unit: 2}
	if bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) {
		t.bom = 3
	}
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		switch {
		case r == '\r' && i+1 < len(data) && data[i+1] == '\n':
			size = 2
			t.lines = append(t.lines, i+size)
		case r == '\r' || r == '\n' || r == 0x85 || r == 0x2028 || r == 0x2029:
			t.lines = append(t.lines, i+size)
		}
		i += size
	}
	return t
}

// offset returns the byte offset of a yaml.v3 line and column.
func (t *yamlText) offset(line, col int) (int, error) {
	if line < 1 || line > len(t.lines) {
		return 0, fmt.Errorf("%w: line %d out of range", ErrEdit, line)
	}
	off := t.lines[line-1]
	if line == 1 {
		off += t.bom
	}
	for c := 1; c < col; c++ {
		if off >= len(t.data) {
			return 0, fmt.Errorf("%w: column %d out of range", ErrEdit, col)
		}
		_, size := utf8.DecodeRune(t.data[off:])
		off += size
	}
	return off, nil
}

// nodeStart returns the byte offset where a node (with its anchor or tag)
// starts.
func (t *yamlText) nodeStart(n *yaml.Node) (int, error) {
	return t.offset(n.Line, n.Column)
}

// lineIndent returns the number of leading spaces of the line holding off.
func (t *yamlText) lineIndent(off int) int {
	start := off
	for start > 0 && t.data[start-1] != '\n' && t.data[start-1] != '\r' {
		start--
	}
	n := 0
	for start+n < len(t.data) && t.data[start+n] == ' ' {
		n++
	}
	return n
}

// skipProperties skips an &anchor and/or !tag (and the space after them)
// starting at off.
func (t *yamlText) skipProperties(off int) int {
	d := t.data
	for off < len(d) && (d[off] == '&' || d[off] == '!') {
		for off < len(d) && !isSpaceByte(d[off]) {
			off++
		}
		off = t.skipSpace(off)
	}
	return off
}

// skipSpace skips blanks, line breaks and comments.
func (t *yamlText) skipSpace(off int) int {
	d := t.data
	for off < len(d) {
		switch {
		case isSpaceByte(d[off]):
			off++
		case d[off] == '#':
			for off < len(d) && d[off] != '\n' && d[off] != '\r' {
				off++
			}
		default:
			return off
		}
	}
	return off
}

func isSpaceByte(b byte) bool {
	return b == ' ' || b == '\t' || b == '\n' || b == '\r'
}

// span is a byte range [start, end) of the original text.
type span struct{ start, end int }

// scalarSpan returns the bytes of a scalar's value (without its anchor or
// tag). yaml.v3 gives no end position, so the end is derived from the
// scalar's style.
func (t *yamlText) scalarSpan(n *yaml.Node) (span, error) {
	start, err := t.nodeStart(n)
	if err != nil {
		return span{}, err
	}
	if n.Kind == yaml.AliasNode {
		return span{start, start + 1 + len(n.Value)}, nil
	}
	start = t.skipProperties(start)
	var end int
	switch {
	case n.Style&yaml.DoubleQuotedStyle != 0:
		end, err = t.quotedEnd(start, '"')
	case n.Style&yaml.SingleQuotedStyle != 0:
		end, err = t.quotedEnd(start, '\'')
	case n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0:
		var b blockScalar
		b, err = t.blockScalar(start)
		end = b.end
	default:
		end, err = t.plainEnd(start, n.Value)
	}
	return span{start, end}, err
}

// quotedEnd finds the closing quote of a quoted scalar starting at off.
func (t *yamlText) quotedEnd(off int, q byte) (int, error) {
	d := t.data
	if off >= len(d) || d[off] != q {
		return 0, fmt.Errorf("%w: no %c at offset %d", ErrEdit, q, off)
	}
	for i := off + 1; i < len(d); i++ {
		switch {
		case q == '"' && d[i] == '\\':
			i++
		case d[i] == q && q == '\'' && i+1 < len(d) && d[i+1] == '\'':
			i++
		case d[i] == q:
			return i + 1, nil
		}
	}
	return 0, fmt.Errorf("%w: unterminated quoted scalar at offset %d", ErrEdit, off)
}

// plainEnd matches a plain scalar's value against the text starting at off.
// Plain scalars have no escapes, so the text equals the value except where
// lines were folded (a break and indentation read as one space, blank lines
// as newlines).
func (t *yamlText) plainEnd(off int, value string) (int, error) {
	d := t.data
	i, j := 0, off
	for i < len(value) {
		if j < len(d) && value[i] == d[j] {
			i, j = i+1, j+1
			continue
		}
		if (value[i] == ' ' || value[i] == '\n') && j < len(d) && isSpaceByte(d[j]) {
			for i < len(value) && (value[i] == ' ' || value[i] == '\n') {
				i++
			}
			for j < len(d) && isSpaceByte(d[j]) {
				j++
			}
			continue
		}
		return 0, fmt.Errorf("%w: plain scalar %q does not match the text at offset %d", ErrEdit, value, off)
	}
	return j, nil
}

// blockScalar describes a literal (|) or folded (>) scalar in the text.
type blockScalar struct {
	header     span // the indicator with its chomping/indentation flags
	lineEnd    int  // end of the header line (after any comment)
	end        int  // end of the last content line, before its line break
	indent     int  // indentation of the content (0 when there is none)
	hasContent bool // content lines exist
}

// blockScalar parses the extent of a block scalar starting at off. Trailing
// blank lines are left outside of it.
func (t *yamlText) blockScalar(off int) (blockScalar, error) {
	d := t.data
	if off >= len(d) || (d[off] != '|' && d[off] != '>') {
		return blockScalar{}, errors.New("block scalar indicator not found")
	}
	b := blockScalar{header: span{off, off + 1}}
	for b.header.end < len(d) && bytes.IndexByte([]byte("+-0123456789"), d[b.header.end]) >= 0 {
		b.header.end++
	}
	b.lineEnd = b.header.end
	for b.lineEnd < len(d) && d[b.lineEnd] != '\n' && d[b.lineEnd] != '\r' {
		b.lineEnd++
	}
	b.end = b.lineEnd
	for pos := b.lineEnd; pos < len(d); {
		pos = skipBreak(d, pos)
		lineStart := pos
		for pos < len(d) && d[pos] != '\n' && d[pos] != '\r' {
			pos++
		}
		line := d[lineStart:pos]
		trimmed := bytes.TrimLeft(line, " ")
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		ind := len(line) - len(trimmed)
		if b.indent == 0 {
			b.indent = ind
		}
		if ind < b.indent || ind == 0 {
			break
		}
		b.end, b.hasContent = pos, true
	}
	return b, nil
}

// skipBreak skips one line break at pos.
func skipBreak(d []byte, pos int) int {
	if pos < len(d) && d[pos] == '\r' {
		pos++
	}
	if pos < len(d) && d[pos] == '\n' {
		pos++
	}
	return pos
}

// nodeEnd returns the offset just after a node's last character.
func (t *yamlText) nodeEnd(n *yaml.Node) (int, error) {
	switch n.Kind {
	case yaml.ScalarNode, yaml.AliasNode:
		s, err := t.scalarSpan(n)
		return s.end, err
	}
	if n.Style&yaml.FlowStyle != 0 {
		return t.flowEnd(n)
	}
	if len(n.Content) == 0 {
		return 0, fmt.Errorf("%w: empty block collection", ErrEdit)
	}
	last := n.Content[len(n.Content)-1]
	if n.Kind == yaml.MappingNode && isEmptyScalar(last) {
		// An empty value has no text of its own; the node ends after its key.
		k := n.Content[len(n.Content)-2]
		end, err := t.nodeEnd(k)
		if err != nil {
			return 0, err
		}
		return t.colonAfter(end)
	}
	return t.nodeEnd(last)
}

// flowEnd returns the offset after the closing bracket of a flow collection.
func (t *yamlText) flowEnd(n *yaml.Node) (int, error) {
	pos, err := t.nodeStart(n)
	if err != nil {
		return 0, err
	}
	pos = t.skipProperties(pos)
	if len(n.Content) > 0 {
		if pos, err = t.nodeEnd(n.Content[len(n.Content)-1]); err != nil {
			return 0, err
		}
	} else {
		pos++ // the opening bracket
	}
	closer := byte(']')
	if n.Kind == yaml.MappingNode {
		closer = '}'
	}
	for pos < len(t.data) {
		pos = t.skipSpace(pos)
		if pos < len(t.data) && t.data[pos] == closer {
			return pos + 1, nil
		}
		if pos < len(t.data) && (t.data[pos] == ',' || t.data[pos] == ':') {
			pos++
			continue
		}
		break
	}
	return 0, fmt.Errorf("%w: closing %c not found", ErrEdit, closer)
}

// colonAfter returns the offset after the ':' that follows a mapping key.
func (t *yamlText) colonAfter(off int) (int, error) {
	for off < len(t.data) && (t.data[off] == ' ' || t.data[off] == '\t') {
		off++
	}
	if off < len(t.data) && t.data[off] == ':' {
		return off + 1, nil
	}
	return 0, fmt.Errorf("%w: ':' not found after key", ErrEdit)
}

// isEmptyScalar reports a plain scalar with no text (an implicit null).
func isEmptyScalar(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Value == "" && n.Style == 0
}
