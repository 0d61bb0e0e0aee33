package gitops

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/theory/jsonpath/spec"
)

// setJSON sets one value of a JSON document by splicing its text, leaf by
// leaf where the shapes of the old and new values match.
func setJSON(data []byte, np spec.NormalizedPath, v any) ([]byte, error) {
	doc, err := decodeJSON(data)
	if err != nil {
		return nil, err
	}
	old, ok := valueAt(doc, np)
	if !ok {
		return nil, ErrPathNotFound
	}
	if equalValues(old, v) {
		return data, nil
	}
	if err := checkKinds(old, v); err != nil {
		return nil, err
	}
	if children := sameShape(old, v); children != nil {
		for _, c := range children {
			child, _ := valueAt(v, spec.NormalizedPath{c})
			if data, err = setJSON(data, append(slices.Clone(np), c), child); err != nil {
				return nil, err
			}
		}
		return data, nil
	}
	spans, err := jsonSpans(data)
	if err != nil {
		return nil, err
	}
	sp, ok := spans[np.String()]
	if !ok {
		return nil, ErrPathNotFound
	}
	out := splice(data, sp, jsonValueText(data, sp.start, v))
	want, _ := replaceAt(doc, np, v)
	if got, err := decodeJSON(out); err != nil || !equalValues(got, want) {
		return nil, fmt.Errorf("%w: the edit does not read back", ErrEdit)
	}
	return out, nil
}

// jsonValueText renders v for the position at: compact for scalars and
// one-line files, otherwise indented like the surrounding lines.
func jsonValueText(data []byte, at int, v any) string {
	if !isComposite(v) || !bytes.ContainsRune(bytes.TrimSpace(data), '\n') {
		return jsonText(v)
	}
	t := newYAMLText(data)
	prefix := string(bytes.Repeat([]byte(" "), t.lineIndent(at)))
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent(prefix, jsonIndentUnit(data))
	if err := enc.Encode(v); err != nil {
		return jsonText(v)
	}
	return string(bytes.TrimRight(b.Bytes(), "\n"))
}

// jsonIndentUnit guesses a file's indentation from its first indented line.
func jsonIndentUnit(data []byte) string {
	for _, line := range bytes.Split(data, []byte("\n"))[1:] {
		trimmed := bytes.TrimLeft(line, " \t")
		if n := len(line) - len(trimmed); n > 0 && len(trimmed) > 0 {
			return string(line[:n])
		}
	}
	return "  "
}

// jsonSpans maps the normalized path of every value in a JSON document to
// its byte span.
func jsonSpans(data []byte) (map[string]span, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	spans := map[string]span{}
	if err := walkJSON(dec, data, nil, spans); err != nil {
		return nil, err
	}
	return spans, nil
}

// walkJSON records the span of the value the decoder is at and of all its
// children.
func walkJSON(dec *json.Decoder, data []byte, np spec.NormalizedPath, spans map[string]span) error {
	start := int(dec.InputOffset())
	for start < len(data) && bytes.IndexByte([]byte(" \t\r\n:,"), data[start]) >= 0 {
		start++
	}
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch tok {
	case json.Delim('{'):
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return err
			}
			key, _ := kt.(string)
			if err := walkJSON(dec, data, append(slices.Clone(np), spec.Name(key)), spans); err != nil {
				return err
			}
		}
		if _, err := dec.Token(); err != nil {
			return err
		}
	case json.Delim('['):
		for i := 0; dec.More(); i++ {
			if err := walkJSON(dec, data, append(slices.Clone(np), spec.Index(i)), spans); err != nil {
				return err
			}
		}
		if _, err := dec.Token(); err != nil {
			return err
		}
	}
	spans[np.String()] = span{start, int(dec.InputOffset())}
	return nil
}
