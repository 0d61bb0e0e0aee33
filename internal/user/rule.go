package user

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"ladder/db"
	"ladder/internal/audit"
	"ladder/internal/fault"
)

// Permission is what a rule governs.
type Permission string

// The permissions rules can narrow.
const (
	Promote Permission = "promote" // start a promotion into an environment
	Approve Permission = "approve" // approve an approval step of an environment
)

// Target is the environment a permission is asked for.
type Target struct {
	Name string
	Kind string // production or non-production
}

// Selector picks environments by name and kind. An empty list matches everything; both lists
// must match.
type Selector struct {
	Names []string
	Kinds []string
}

// Matches reports whether env is selected.
func (sel Selector) Matches(env Target) bool {
	return (len(sel.Names) == 0 || slices.Contains(sel.Names, env.Name)) &&
		(len(sel.Kinds) == 0 || slices.Contains(sel.Kinds, env.Kind))
}

// Rule narrows promoters: for the environments it selects, only members of Group hold
// Permission. Rules for the same permission and environment add up: membership of any one of
// their groups is enough.
type Rule struct {
	ID           int64
	Group        string
	Permission   Permission
	Environments Selector
	CreatedAt    time.Time
}

// Allowed decides whether u holds perm on env under rules. Admins always do and viewers never
// do. A promoter does unless some rule for perm selects env, in which case they must belong to
// the group of one of those rules.
func Allowed(rules []Rule, u User, perm Permission, env Target) bool {
	switch {
	case u.Disabled || !u.Role().AtLeast(Promoter):
		return false
	case u.Role() == Admin:
		return true
	}
	narrowed := false
	for _, r := range rules {
		if r.Permission != perm || !r.Environments.Matches(env) {
			continue
		}
		if u.InGroup(r.Group) {
			return true
		}
		narrowed = true
	}
	return !narrowed
}

// Granted decides whether a rule grants u perm on env: admins always hold it; anyone else
// must be an enabled promoter in the group of a rule for perm that selects env (a promoter no
// rule narrows is not granted it).
func Granted(rules []Rule, u User, perm Permission, env Target) bool {
	switch {
	case u.Disabled || !u.Role().AtLeast(Promoter):
		return false
	case u.Role() == Admin:
		return true
	}
	for _, r := range rules {
		if r.Permission == perm && r.Environments.Matches(env) && u.InGroup(r.Group) {
			return true
		}
	}
	return false
}

// CanPromote reports whether u may promote into env.
func (s *Service) CanPromote(ctx context.Context, u User, env Target) (bool, error) {
	return s.allowed(ctx, u, Promote, env)
}

// CanApprove reports whether u may approve steps in env.
func (s *Service) CanApprove(ctx context.Context, u User, env Target) (bool, error) {
	return s.allowed(ctx, u, Approve, env)
}

func (s *Service) allowed(ctx context.Context, u User, perm Permission, env Target) (bool, error) {
	rules, err := s.Rules(ctx)
	if err != nil {
		return false, err
	}
	return Allowed(rules, u, perm, env), nil
}

// Rules returns every rule, by permission and group.
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

// RuleInput is what an admin sets on a rule.
type RuleInput struct {
	Group      string   `form:"group" validate:"required,max=200"`
	Permission string   `form:"permission" validate:"required,oneof=promote approve"`
	Names      []string `form:"names" validate:"dive,dnslabel"`
	Kinds      []string `form:"kinds" validate:"dive,oneof=production non-production"`
}

// CreateRule stores a new rule.
func (s *Service) CreateRule(ctx context.Context, in RuleInput) (Rule, error) {
	in.Group = strings.TrimSpace(in.Group)
	if fe := s.check.Struct(in); len(fe) > 0 {
		return Rule{}, fe
	}
	var created Rule
	err := db.InTx(ctx, s.db, func(q *db.Queries) error {
		now := s.now().UTC()
		r, err := q.CreateAccessRule(ctx, db.CreateAccessRuleParams{GroupName: in.Group, Permission: in.Permission,
			EnvironmentNames: encodeList(in.Names), EnvironmentKinds: encodeList(in.Kinds), CreatedAt: now})
		if err != nil {
			return fmt.Errorf("create rule: %w", err)
		}
		if created, err = ruleFromRow(r); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Actor: audit.Actor(ctx), Action: "create", Kind: "rule",
			Name: strconv.FormatInt(r.ID, 10), Detail: created.String()})
	})
	return created, err
}

// DeleteRule removes the rule with id.
func (s *Service) DeleteRule(ctx context.Context, id int64) error {
	return db.InTx(ctx, s.db, func(q *db.Queries) error {
		r, err := q.GetAccessRule(ctx, id)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("rule %d: %w", id, fault.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("get rule %d: %w", id, err)
		}
		rule, err := ruleFromRow(r)
		if err != nil {
			return err
		}
		if err := q.DeleteAccessRule(ctx, id); err != nil {
			return fmt.Errorf("delete rule %d: %w", id, err)
		}
		return audit.Record(ctx, q, s.now().UTC(), audit.Entry{Actor: audit.Actor(ctx), Action: "delete", Kind: "rule",
			Name: strconv.FormatInt(id, 10), Detail: rule.String()})
	})
}

// String says what the rule means in one line, for the audit log.
func (r Rule) String() string {
	where := "every environment"
	var parts []string
	if len(r.Environments.Names) > 0 {
		parts = append(parts, "named "+strings.Join(r.Environments.Names, ", "))
	}
	if len(r.Environments.Kinds) > 0 {
		parts = append(parts, "of kind "+strings.Join(r.Environments.Kinds, ", "))
	}
	if len(parts) > 0 {
		where = "environments " + strings.Join(parts, " and ")
	}
	return "only group " + r.Group + " may " + string(r.Permission) + " to " + where
}

func ruleFromRow(r db.AccessRule) (Rule, error) {
	rule := Rule{ID: r.ID, Group: r.GroupName, Permission: Permission(r.Permission), CreatedAt: r.CreatedAt.UTC()}
	if err := json.Unmarshal([]byte(r.EnvironmentNames), &rule.Environments.Names); err != nil {
		return Rule{}, fmt.Errorf("rule %d: decode names: %w", r.ID, err)
	}
	if err := json.Unmarshal([]byte(r.EnvironmentKinds), &rule.Environments.Kinds); err != nil {
		return Rule{}, fmt.Errorf("rule %d: decode kinds: %w", r.ID, err)
	}
	return rule, nil
}
