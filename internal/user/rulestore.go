package user

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"ladder/db"
	"ladder/internal/audit"
	"ladder/internal/fault"
)

// CanPromote reports whether u may promote into t.
func (s *Service) CanPromote(ctx context.Context, u User, t Target) (bool, error) {
	return s.allowed(ctx, u, Promote, t)
}

// CanApprove reports whether u may approve steps in t.
func (s *Service) CanApprove(ctx context.Context, u User, t Target) (bool, error) {
	return s.allowed(ctx, u, Approve, t)
}

func (s *Service) allowed(ctx context.Context, u User, perm Permission, t Target) (bool, error) {
	rules, err := s.Rules(ctx)
	if err != nil {
		return false, err
	}
	return Allowed(rules, u, perm, t), nil
}

// Rules returns every rule, by name.
func (s *Service) Rules(ctx context.Context) ([]Rule, error) {
	rows, err := s.q.ListAccessRules(ctx)
	if err != nil {
		return nil, fmt.Errorf("list rules: %w", err)
	}
	rules := make([]Rule, 0, len(rows))
	for _, r := range rows {
		rule, err := ruleFromRow(r)
		if err != nil {
			return nil, err
		}
		rules = append(rules, rule)
	}
	return rules, nil
}

// Rule returns the rule called name.
func (s *Service) Rule(ctx context.Context, name string) (Rule, error) {
	return getRule(ctx, s.q, name)
}

// getRule reads the rule called name through q; fault.ErrNotFound when there is none.
func getRule(ctx context.Context, q *db.Queries, name string) (Rule, error) {
	r, err := q.GetAccessRuleByName(ctx, name)
	if errors.Is(err, sql.ErrNoRows) {
		return Rule{}, fmt.Errorf("rule %q: %w", name, fault.ErrNotFound)
	}
	if err != nil {
		return Rule{}, fmt.Errorf("get rule %q: %w", name, err)
	}
	return ruleFromRow(r)
}

// RuleInput is what an admin sets on a rule. Empty selector lists match everything.
type RuleInput struct {
	Name         string   `form:"name" validate:"required,dnslabel"`
	Group        string   `form:"group" validate:"required,max=200"`
	Permission   string   `form:"permission" validate:"required,oneof=promote approve trigger retry"`
	Names        []string `form:"names" validate:"dive,dnslabel"`
	Kinds        []string `form:"kinds" validate:"dive,oneof=production non-production"`
	ProductNames []string `form:"productNames" validate:"dive,dnslabel"`
	ProductTags  []string `form:"productTags" validate:"max=50,dive,tag"`
	FlowNames    []string `form:"flowNames" validate:"dive,dnslabel"`
}

// CreateRule stores a new rule.
func (s *Service) CreateRule(ctx context.Context, in RuleInput) (Rule, error) {
	var created Rule
	err := db.InTx(ctx, s.db, func(q *db.Queries) error {
		var err error
		created, err = s.CreateRuleTx(ctx, q, in)
		return err
	})
	return created, err
}

// CreateRuleTx is CreateRule inside the caller's transaction.
func (s *Service) CreateRuleTx(ctx context.Context, q *db.Queries, in RuleInput) (Rule, error) {
	in = normalizeRule(in)
	if err := s.checkRule(ctx, q, in, ""); err != nil {
		return Rule{}, err
	}
	now := s.now().UTC()
	r, err := q.CreateAccessRule(ctx, db.CreateAccessRuleParams{Name: in.Name, GroupName: in.Group, Permission: in.Permission,
		EnvironmentNames: encodeList(in.Names), EnvironmentKinds: encodeList(in.Kinds), ProductNames: encodeList(in.ProductNames),
		ProductTags: encodeList(in.ProductTags), FlowNames: encodeList(in.FlowNames), CreatedAt: now, UpdatedAt: now})
	if err != nil {
		return Rule{}, fmt.Errorf("create rule: %w", err)
	}
	created, err := ruleFromRow(r)
	if err != nil {
		return Rule{}, err
	}
	return created, audit.Record(ctx, q, now, audit.Entry{Actor: audit.Actor(ctx), Action: "create", Kind: "rule",
		Name: created.Name, Detail: created.String()})
}

// UpdateRule changes (or renames) the rule called name.
func (s *Service) UpdateRule(ctx context.Context, name string, in RuleInput) (Rule, error) {
	var updated Rule
	err := db.InTx(ctx, s.db, func(q *db.Queries) error {
		var err error
		updated, err = s.UpdateRuleTx(ctx, q, name, in)
		return err
	})
	return updated, err
}

// UpdateRuleTx is UpdateRule inside the caller's transaction.
func (s *Service) UpdateRuleTx(ctx context.Context, q *db.Queries, name string, in RuleInput) (Rule, error) {
	prev, err := getRule(ctx, q, name)
	if err != nil {
		return Rule{}, err
	}
	in = normalizeRule(in)
	if err := s.checkRule(ctx, q, in, name); err != nil {
		return Rule{}, err
	}
	now := s.now().UTC()
	r, err := q.UpdateAccessRule(ctx, db.UpdateAccessRuleParams{ID: prev.ID, Name: in.Name, GroupName: in.Group, Permission: in.Permission,
		EnvironmentNames: encodeList(in.Names), EnvironmentKinds: encodeList(in.Kinds), ProductNames: encodeList(in.ProductNames),
		ProductTags: encodeList(in.ProductTags), FlowNames: encodeList(in.FlowNames), UpdatedAt: now})
	if err != nil {
		return Rule{}, fmt.Errorf("update rule %q: %w", name, err)
	}
	updated, err := ruleFromRow(r)
	if err != nil {
		return Rule{}, err
	}
	return updated, audit.Record(ctx, q, now, audit.Entry{Actor: audit.Actor(ctx), Action: "update", Kind: "rule",
		Name: updated.Name, Detail: updated.String()})
}

// DeleteRule removes the rule called name.
func (s *Service) DeleteRule(ctx context.Context, name string) error {
	return db.InTx(ctx, s.db, func(q *db.Queries) error { return s.DeleteRuleTx(ctx, q, name) })
}

// DeleteRuleTx removes the rule called name inside the caller's transaction (a model apply's
// prune).
func (s *Service) DeleteRuleTx(ctx context.Context, q *db.Queries, name string) error {
	rule, err := getRule(ctx, q, name)
	if err != nil {
		return err
	}
	if err := q.DeleteAccessRule(ctx, rule.ID); err != nil {
		return fmt.Errorf("delete rule %q: %w", name, err)
	}
	return audit.Record(ctx, q, s.now().UTC(), audit.Entry{Actor: audit.Actor(ctx), Action: "delete", Kind: "rule",
		Name: name, Detail: rule.String()})
}

// checkRule validates in and checks that its name is free (but for old, its current name) and
// that the environments, products and flows it names exist: a misspelt name would narrow
// nothing, silently.
func (s *Service) checkRule(ctx context.Context, q *db.Queries, in RuleInput, old string) error {
	fe := s.check.Struct(in)
	if in.Name != old && fe["name"] == "" {
		n, err := q.CountAccessRulesByName(ctx, in.Name)
		if err != nil {
			return fmt.Errorf("check name %q: %w", in.Name, err)
		}
		if n > 0 {
			fe.Add("name", fmt.Sprintf("a rule called %q already exists", in.Name))
		}
	}
	refs := []struct {
		field, what string
		names       []string
		count       func(context.Context, string) (int64, error)
	}{
		{"names", "environment", in.Names, q.CountEnvironmentsByName},
		{"productNames", "product", in.ProductNames, q.CountProductsByName},
		{"flowNames", "flow", in.FlowNames, q.CountFlowsByName},
	}
	for _, ref := range refs {
		if fe[ref.field] != "" {
			continue
		}
		for _, name := range ref.names {
			n, err := ref.count(ctx, name)
			if err != nil {
				return fmt.Errorf("check %s %q: %w", ref.what, name, err)
			}
			if n == 0 {
				fe.Add(ref.field, fmt.Sprintf("there is no %s called %q", ref.what, name))
				break
			}
		}
	}
	return fe.Err()
}

func normalizeRule(in RuleInput) RuleInput {
	in.Name, in.Group = strings.TrimSpace(in.Name), strings.TrimSpace(in.Group)
	return in
}

func ruleFromRow(r db.AccessRule) (Rule, error) {
	rule := Rule{ID: r.ID, Name: r.Name, Group: r.GroupName, Permission: Permission(r.Permission),
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
	for _, l := range []struct {
		what string
		from string
		to   *[]string
	}{
		{"environment names", r.EnvironmentNames, &rule.Environments.Names},
		{"environment kinds", r.EnvironmentKinds, &rule.Environments.Kinds},
		{"product names", r.ProductNames, &rule.Products.Names},
		{"product tags", r.ProductTags, &rule.Products.Tags},
		{"flow names", r.FlowNames, &rule.Flows.Names},
	} {
		if err := json.Unmarshal([]byte(l.from), l.to); err != nil {
			return Rule{}, fmt.Errorf("rule %q: decode %s: %w", r.Name, l.what, err)
		}
	}
	return rule, nil
}
