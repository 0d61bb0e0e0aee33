package model

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// decodeSpec reads a YAML spec into v (a pointer to one of the spec types) through its JSON
// field names. The walk follows v's type, so a scalar meant for a string field is taken as
// text whatever it looks like (expectStatus: 200), and an unknown field is an error naming its
// path rather than being ignored.
func decodeSpec(n *yaml.Node, v any) error {
	plain, err := plainValue(n, reflect.TypeOf(v).Elem(), "spec")
	if err != nil {
		return err
	}
	b, err := json.Marshal(plain)
	if err != nil {
		return fmt.Errorf("spec: %w", err)
	}
	return json.Unmarshal(b, v)
}

// plainValue converts n into maps, slices and scalars that encoding/json turns into t.
func plainValue(n *yaml.Node, t reflect.Type, path string) (any, error) {
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil, nil
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct:
		return plainStruct(n, t, path)
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			return nil, &pathError{path, "must be a list"}
		}
		out := make([]any, 0, len(n.Content))
		for i, item := range n.Content {
			v, err := plainValue(item, t.Elem(), fmt.Sprintf("%s[%d]", path, i))
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	}
	if n.Kind != yaml.ScalarNode {
		return nil, &pathError{path, "must be a single value"}
	}
	switch t.Kind() {
	case reflect.String:
		return n.Value, nil
	case reflect.Int, reflect.Int64, reflect.Int32:
		i, err := strconv.ParseInt(n.Value, 10, 64)
		if err != nil {
			return nil, &pathError{path, fmt.Sprintf("%q is not a whole number", n.Value)}
		}
		return i, nil
	case reflect.Bool:
		var b bool
		if err := n.Decode(&b); err != nil {
			return nil, &pathError{path, fmt.Sprintf("%q is not true or false", n.Value)}
		}
		return b, nil
	}
	return nil, &pathError{path, fmt.Sprintf("cannot read a value of type %s", t)}
}

func plainStruct(n *yaml.Node, t reflect.Type, path string) (any, error) {
	if n.Kind != yaml.MappingNode {
		return nil, &pathError{path, "must be a map of fields"}
	}
	out := make(map[string]any, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		key := n.Content[i].Value
		f, ok := jsonField(t, key)
		if !ok {
			return nil, &pathError{path + "." + key, "unknown field"}
		}
		v, err := plainValue(n.Content[i+1], f.Type, path+"."+key)
		if err != nil {
			return nil, err
		}
		out[key] = v
	}
	return out, nil
}

// jsonField finds t's field whose JSON name is name.
func jsonField(t reflect.Type, name string) (reflect.StructField, bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if f.IsExported() && tag == name {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

// specNode turns a spec value into a YAML node through its JSON form, keeping the field
// order of the types and letting the encoder choose plain or quoted scalars.
func specNode(v any) (*yaml.Node, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return nil, err
	}
	n := doc.Content[0]
	restyle(n)
	return n, nil
}

// restyle drops the flow and quoting styles JSON text comes with: block maps and lists, and
// scalars quoted only where YAML needs it.
func restyle(n *yaml.Node) {
	n.Style = 0
	if n.Kind == yaml.SequenceNode && len(n.Content) > 0 && n.Content[0].Kind == yaml.ScalarNode {
		n.Style = yaml.FlowStyle // short lists of words read best inline: tags: [a, b]
	}
	if isSecretRef(n) {
		n.Style = yaml.FlowStyle // tokenRef: {name: argocd, key: token}
	}
	for _, c := range n.Content {
		restyle(c)
	}
}

// isSecretRef reports whether n is a SecretRef's map: name and key, both scalars.
func isSecretRef(n *yaml.Node) bool {
	return n.Kind == yaml.MappingNode && len(n.Content) == 4 && n.Content[0].Value == "name" &&
		n.Content[2].Value == "key" && n.Content[1].Kind == yaml.ScalarNode && n.Content[3].Kind == yaml.ScalarNode
}
