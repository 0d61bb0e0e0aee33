package model

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// incoming is one decoded document of a file being applied.
type incoming struct {
	index      int // from 1, in file order
	kind, name string
	spec       any // a pointer to the kind's spec type
}

// key identifies the entity a document names; applications are unique per environment.
func (d incoming) key() string {
	if a, ok := d.spec.(*ApplicationSpec); ok {
		return d.kind + "/" + a.Environment + "/" + d.name
	}
	return d.kind + "/" + d.name
}

// label names the entity for people: environment/name for applications.
func (d incoming) label() string {
	if a, ok := d.spec.(*ApplicationSpec); ok {
		return a.Environment + "/" + d.name
	}
	return d.name
}

func newSpec(kind string) any {
	switch kind {
	case KindEnvironment:
		return &EnvironmentSpec{}
	case KindApplication:
		return &ApplicationSpec{}
	case KindProduct:
		return &ProductSpec{}
	case KindWorkflow:
		return &WorkflowSpec{}
	case KindPolicy:
		return &PolicySpec{}
	case KindFlow:
		return &FlowSpec{}
	case KindWindow:
		return &FreezeWindowSpec{}
	case KindRule:
		return &AccessRuleSpec{}
	}
	return newSettingSpec(kind)
}

// parse decodes every document of r, reporting every problem it finds rather than the first.
func parse(r io.Reader) ([]incoming, []Problem) {
	dec := yaml.NewDecoder(r)
	var docs []incoming
	var problems []Problem
	seen := map[string]int{}
	for i := 1; ; i++ {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			problems = append(problems, Problem{Document: i, Message: "not valid YAML: " + strings.TrimPrefix(err.Error(), "yaml: ")})
			break // the decoder cannot find the next document after a syntax error
		}
		if len(n.Content) == 0 || (n.Content[0].Kind == yaml.ScalarNode && n.Content[0].Tag == "!!null") {
			i-- // an empty document (a trailing ---) is not counted
			continue
		}
		d, ps := parseDocument(i, n.Content[0])
		if len(ps) > 0 {
			problems = append(problems, ps...)
			continue
		}
		if first, dup := seen[d.key()]; dup {
			problems = append(problems, Problem{Document: i, Kind: d.kind, Name: d.label(), Field: "metadata.name",
				Message: fmt.Sprintf("document %d already defines this %s", first, d.kind)})
			continue
		}
		seen[d.key()] = i
		docs = append(docs, d)
	}
	return docs, problems
}

// parseDocument reads the envelope (apiVersion, kind, metadata, spec) and the spec.
func parseDocument(i int, n *yaml.Node) (incoming, []Problem) {
	d := incoming{index: i}
	fail := func(field, msg string) (incoming, []Problem) {
		return d, []Problem{{Document: i, Kind: d.kind, Name: d.name, Field: field, Message: msg}}
	}
	if n.Kind != yaml.MappingNode {
		return fail("", "must be a map with apiVersion, kind, metadata and spec")
	}
	fields := map[string]*yaml.Node{}
	for j := 0; j+1 < len(n.Content); j += 2 {
		fields[n.Content[j].Value] = n.Content[j+1]
	}
	d.kind = scalar(fields["kind"])
	if meta := fields["metadata"]; meta != nil && meta.Kind == yaml.MappingNode {
		for j := 0; j+1 < len(meta.Content); j += 2 {
			if meta.Content[j].Value == "name" {
				d.name = scalar(meta.Content[j+1])
			}
		}
	}
	for k := range fields {
		if !slices.Contains([]string{"apiVersion", "kind", "metadata", "spec"}, k) {
			return fail(k, "unknown field (a document has apiVersion, kind, metadata and spec)")
		}
	}
	switch {
	case scalar(fields["apiVersion"]) != APIVersion:
		return fail("apiVersion", "must be "+APIVersion)
	case newSpec(d.kind) == nil:
		return fail("kind", "must be one of: "+strings.Join(Kinds, ", "))
	case d.name == "":
		return fail("metadata.name", "is required")
	case fields["spec"] == nil:
		return fail("spec", "is required")
	}
	d.spec = newSpec(d.kind)
	if err := decodeSpec(fields["spec"], d.spec); err != nil {
		var pe *pathError
		if errors.As(err, &pe) {
			return fail(pe.path, pe.msg)
		}
		return fail("spec", err.Error())
	}
	return d, nil
}

func scalar(n *yaml.Node) string {
	if n == nil || n.Kind != yaml.ScalarNode {
		return ""
	}
	return n.Value
}

// pathError is a problem at one field of a spec.
type pathError struct{ path, msg string }

func (e *pathError) Error() string { return e.path + ": " + e.msg }
