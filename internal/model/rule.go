package model

import (
	"context"
	"errors"

	"ladder/db"
	"ladder/internal/fault"
	"ladder/internal/user"
)

// KindRule is the document kind of an access rule. Rules name environments, products and
// flows, so they come after those kinds.
const KindRule = "AccessRule"

// AccessRuleSpec is a rule that narrows promoters: for the targets it selects on every axis,
// only members of group hold permission (promote, approve, trigger or retry). A missing or
// empty selector selects everything on its axis; a flows selector with names selects only
// releases of those flows, not single promotions.
type AccessRuleSpec struct {
	Group        string               `json:"group"`
	Permission   string               `json:"permission" openapi:"enum=promote|approve|trigger|retry"`
	Environments *RuleEnvironmentsSel `json:"environments,omitempty"`
	Products     *RuleProductsSel     `json:"products,omitempty"`
	Flows        *RuleFlowsSel        `json:"flows,omitempty"`
}

// RuleEnvironmentsSel selects environments by name and kind.
type RuleEnvironmentsSel struct {
	Names []string `json:"names,omitempty"`
	Kinds []string `json:"kinds,omitempty"`
}

// RuleProductsSel selects products by name and by tag (a product with any of the tags).
type RuleProductsSel struct {
	Names []string `json:"names,omitempty"`
	Tags  []string `json:"tags,omitempty"`
}

// RuleFlowsSel selects flows by name.
type RuleFlowsSel struct {
	Names []string `json:"names,omitempty"`
}

// AccessRuleSpecOf is r as a spec; empty selectors are left out.
func AccessRuleSpecOf(r user.Rule) AccessRuleSpec {
	s := AccessRuleSpec{Group: r.Group, Permission: string(r.Permission)}
	if e := r.Environments; len(e.Names)+len(e.Kinds) > 0 {
		s.Environments = &RuleEnvironmentsSel{Names: e.Names, Kinds: e.Kinds}
	}
	if p := r.Products; len(p.Names)+len(p.Tags) > 0 {
		s.Products = &RuleProductsSel{Names: p.Names, Tags: p.Tags}
	}
	if len(r.Flows.Names) > 0 {
		s.Flows = &RuleFlowsSel{Names: r.Flows.Names}
	}
	return s
}

// Input is the rule the spec describes, called name.
func (s AccessRuleSpec) Input(name string) user.RuleInput {
	in := user.RuleInput{Name: name, Group: s.Group, Permission: s.Permission}
	if e := s.Environments; e != nil {
		in.Names, in.Kinds = e.Names, e.Kinds
	}
	if p := s.Products; p != nil {
		in.ProductNames, in.ProductTags = p.Names, p.Tags
	}
	if f := s.Flows; f != nil {
		in.FlowNames = f.Names
	}
	return in
}

// ruleDocuments appends a document per rule, by name (none when the model has no rules
// service).
func (s *Service) ruleDocuments(ctx context.Context, docs []document) ([]document, error) {
	if s.Rules == nil {
		return docs, nil
	}
	rules, err := s.Rules.Rules(ctx)
	if err != nil {
		return nil, err
	}
	return appendSorted(docs, KindRule, rules, func(r user.Rule) (string, any) { return r.Name, AccessRuleSpecOf(r) }), nil
}

// applyRule creates or updates the rule d names; after is the updated rule's spec.
func (s *Service) applyRule(ctx context.Context, q *db.Queries, d incoming, spec *AccessRuleSpec, exists bool) (after any, err error) {
	if s.Rules == nil {
		return nil, errors.New("access rules cannot be applied without the users service")
	}
	if exists {
		r, err := s.Rules.UpdateRuleTx(ctx, q, d.name, spec.Input(d.name))
		return AccessRuleSpecOf(r), RuleFieldErrors(err)
	}
	_, err = s.Rules.CreateRuleTx(ctx, q, spec.Input(d.name))
	return nil, RuleFieldErrors(err)
}

// ruleFields maps the rule form's field names to the spec's.
var ruleFields = map[string]string{"names": "environments.names", "kinds": "environments.kinds",
	"productNames": "products.names", "productTags": "products.tags", "flowNames": "flows.names"}

// RuleFieldErrors names the fields of a rule's field errors as the spec does
// ("products.names" for "productNames"); other errors pass unchanged.
func RuleFieldErrors(err error) error {
	fe, ok := fault.Fields(err)
	if !ok {
		return err
	}
	out := fault.FieldErrors{}
	for k, msg := range fe {
		if spec, ok := ruleFields[k]; ok {
			k = spec
		}
		out[k] = msg
	}
	return out
}
