package model

import (
	"bytes"
	"context"
	"io"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// document is one entity ready to be written: kind, name and spec.
type document struct {
	kind, name string
	spec       any
}

// Export writes the whole model as YAML documents in a stable order: environments by
// position, applications by environment position then name, everything else by name.
// An empty model is an empty document list: nothing is written.
func (s *Service) Export(ctx context.Context, w io.Writer) error { return s.export(ctx, w, false) }

// ExportRedacted is Export with the values of HTTP step headers and exec step environment
// variables replaced by workflow.Hidden, for people who may not read them.
func (s *Service) ExportRedacted(ctx context.Context, w io.Writer) error {
	return s.export(ctx, w, true)
}

func (s *Service) export(ctx context.Context, w io.Writer, redact bool) error {
	docs, err := s.documents(ctx, redact)
	if err != nil || len(docs) == 0 {
		return err // the YAML encoder cannot close a stream it never started
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	for _, d := range docs {
		n, err := envelope(d)
		if err != nil {
			return err
		}
		if err := enc.Encode(n); err != nil {
			return err
		}
	}
	if err := enc.Close(); err != nil {
		return err
	}
	_, err = buf.WriteTo(w)
	return err
}

// documents reads the model in export order.
func (s *Service) documents(ctx context.Context, redact bool) ([]document, error) {
	var docs []document
	envs, err := s.Environments.List(ctx)
	if err != nil {
		return nil, err
	}
	rank := map[string]int{}
	for i, e := range envs {
		rank[e.Name] = i + 1
		docs = append(docs, document{KindEnvironment, e.Name, EnvironmentSpecOf(e, i+1)})
	}
	wfs, err := s.Workflows.List(ctx)
	if err != nil {
		return nil, err
	}
	docs = appendSorted(docs, KindWorkflow, wfs, func(w workflowT) (string, any) {
		if redact {
			w = w.Redacted()
		}
		return w.Name, WorkflowSpecOf(w)
	})
	pols, err := s.Policies.List(ctx)
	if err != nil {
		return nil, err
	}
	docs = appendSorted(docs, KindPolicy, pols, func(p policyT) (string, any) { return p.Name, PolicySpecOf(p) })
	flows, err := s.Flows.List(ctx)
	if err != nil {
		return nil, err
	}
	docs = appendSorted(docs, KindFlow, flows, func(f flowT) (string, any) { return f.Name, FlowSpecOf(f) })
	prods, err := s.Products.List(ctx)
	if err != nil {
		return nil, err
	}
	docs = appendSorted(docs, KindProduct, prods, func(p productT) (string, any) { return p.Name, ProductSpecOf(p) })
	apps, err := s.Applications.List(ctx)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(apps, func(a, b applicationT) int {
		if d := rank[a.Environment] - rank[b.Environment]; d != 0 {
			return d
		}
		return strings.Compare(a.Name, b.Name)
	})
	for _, a := range apps {
		docs = append(docs, document{KindApplication, a.Name, ApplicationSpecOf(a)})
	}
	windows, err := s.Windows.List(ctx)
	if err != nil {
		return nil, err
	}
	docs = appendSorted(docs, KindWindow, windows, func(w windowT) (string, any) { return w.Name, FreezeWindowSpecOf(w) })
	settings, err := s.settingDocuments(ctx)
	if err != nil {
		return nil, err
	}
	docs = append(docs, settings...)
	if docs, err = s.ruleDocuments(ctx, docs); err != nil {
		return nil, err
	}
	slices.SortStableFunc(docs, func(a, b document) int { return slices.Index(Kinds, a.kind) - slices.Index(Kinds, b.kind) })
	return docs, nil
}

// appendSorted appends one document per item, by name.
func appendSorted[T any](docs []document, kind string, items []T, doc func(T) (string, any)) []document {
	start := len(docs)
	for _, it := range items {
		name, spec := doc(it)
		docs = append(docs, document{kind, name, spec})
	}
	slices.SortFunc(docs[start:], func(a, b document) int { return strings.Compare(a.name, b.name) })
	return docs
}

// envelope wraps a spec into apiVersion, kind, metadata and spec.
func envelope(d document) (*yaml.Node, error) {
	spec, err := specNode(d.spec)
	if err != nil {
		return nil, err
	}
	str := func(v string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v} }
	meta := &yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle, Content: []*yaml.Node{str("name"), str(d.name)}}
	return &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{
		str("apiVersion"), str(APIVersion), str("kind"), str(d.kind), str("metadata"), meta, str("spec"), spec,
	}}, nil
}
