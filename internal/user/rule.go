package user

import (
	"slices"
	"strings"
	"time"
)

// Permission is what a rule governs.
type Permission string

// The permissions rules can narrow.
const (
	Promote Permission = "promote" // start a single promotion into an environment (and every other change to it)
	Approve Permission = "approve" // approve or reject an approval step of an environment
	Trigger Permission = "trigger" // start a flow by hand; the flow also needs promote
	Retry   Permission = "retry"   // retry a failed or terminated release; it also needs promote
)

// Permissions lists every permission, in the order forms offer them.
var Permissions = []Permission{Promote, Approve, Trigger, Retry}

// Needs lists the permissions taking perm requires, each decided by its own rules: triggering a
// flow and retrying a release promote, so the promote rules narrow them too; trigger and retry
// rules narrow them further.
func (perm Permission) Needs() []Permission {
	switch perm {
	case Trigger, Retry:
		return []Permission{Promote, perm}
	}
	return []Permission{perm}
}

// Target is what a permission is asked for: an environment, the product promoted there and the
// flow the promotion is part of ("" for a single promotion).
type Target struct {
	Environment string
	Kind        string // the environment's kind: production or non-production
	Product     string
	ProductTags []string
	Flow        string
}

// Selector picks environments by name and kind. An empty list matches everything; both lists
// must match.
type Selector struct {
	Names []string
	Kinds []string
}

// Matches reports whether t's environment is selected.
func (sel Selector) Matches(t Target) bool {
	return anyOf(sel.Names, t.Environment) && anyOf(sel.Kinds, t.Kind)
}

// ProductSelector picks products by name and tag: an empty list matches every product; a
// product matches the tags when it carries any of them; both lists must match.
type ProductSelector struct {
	Names []string
	Tags  []string
}

// Matches reports whether t's product is selected.
func (sel ProductSelector) Matches(t Target) bool {
	return anyOf(sel.Names, t.Product) && (len(sel.Tags) == 0 || slices.ContainsFunc(sel.Tags, func(tag string) bool {
		return slices.Contains(t.ProductTags, tag)
	}))
}

// FlowSelector picks flows by name. An empty list matches every flow and single promotions;
// a list matches only promotions made by one of its flows.
type FlowSelector struct {
	Names []string
}

// Matches reports whether t's flow is selected.
func (sel FlowSelector) Matches(t Target) bool { return anyOf(sel.Names, t.Flow) }

func anyOf(list []string, v string) bool { return len(list) == 0 || slices.Contains(list, v) }

// Rule narrows promoters: for the targets it selects — on every axis, environment and product
// and flow — only members of Group hold Permission. Rules for the same permission that select
// the same target add up: membership of any one of their groups is enough.
type Rule struct {
	ID           int64
	Name         string
	Group        string
	Permission   Permission
	Environments Selector
	Products     ProductSelector
	Flows        FlowSelector
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Selects reports whether r narrows perm on t.
func (r Rule) Selects(perm Permission, t Target) bool {
	return r.Permission == perm && r.Environments.Matches(t) && r.Products.Matches(t) && r.Flows.Matches(t)
}

// Check is how the rules of one permission decide a target.
type Check struct {
	Permission Permission
	Selecting  []Rule // the rules of Permission that select the target; none: every promoter holds it
	Granting   []Rule // those of them whose group the user is in
}

// Holds reports whether the check lets the user through.
func (c Check) Holds() bool { return len(c.Selecting) == 0 || len(c.Granting) > 0 }

// Verdict is the answer to "may u take perm on t", with the rules that decide it.
type Verdict struct {
	Allowed bool
	// Role is set when the role alone decides: "admin" (always allowed) or the role that may
	// not (viewers, disabled users). Rules are then not consulted.
	Role   string
	Checks []Check // one per permission perm needs, when rules decide
}

// Refusing names the rules that keep the user out: those of every check that does not hold.
func (v Verdict) Refusing() []Rule {
	var out []Rule
	for _, c := range v.Checks {
		if !c.Holds() {
			out = append(out, c.Selecting...)
		}
	}
	return out
}

// Decide answers whether u holds perm on t under rules, and why. Admins always do and viewers
// and disabled users never do. A promoter does when, for every permission perm needs, either no
// rule of that permission selects t or they belong to the group of one that does.
func Decide(rules []Rule, u User, perm Permission, t Target) Verdict {
	switch {
	case u.Disabled:
		return Verdict{Role: "disabled"}
	case !u.Role().AtLeast(Promoter):
		return Verdict{Role: string(u.Role())}
	case u.Role() == Admin:
		return Verdict{Allowed: true, Role: string(Admin)}
	}
	v := Verdict{Allowed: true}
	for _, p := range perm.Needs() {
		c := Check{Permission: p}
		for _, r := range rules {
			if r.Selects(p, t) {
				c.Selecting = append(c.Selecting, r)
				if u.InGroup(r.Group) {
					c.Granting = append(c.Granting, r)
				}
			}
		}
		v.Allowed = v.Allowed && c.Holds()
		v.Checks = append(v.Checks, c)
	}
	return v
}

// Allowed decides whether u holds perm on t under rules (see Decide).
func Allowed(rules []Rule, u User, perm Permission, t Target) bool {
	return Decide(rules, u, perm, t).Allowed
}

// Granted decides whether a rule grants u perm on t: admins always hold it; anyone else must
// be an enabled promoter in the group of a rule for perm that selects t (a promoter no rule
// narrows is not granted it).
func Granted(rules []Rule, u User, perm Permission, t Target) bool {
	switch {
	case u.Disabled || !u.Role().AtLeast(Promoter):
		return false
	case u.Role() == Admin:
		return true
	}
	return slices.ContainsFunc(rules, func(r Rule) bool { return r.Selects(perm, t) && u.InGroup(r.Group) })
}

// String says what the rule means in one line, for the audit log and the Evaluate page.
func (r Rule) String() string {
	return "only group " + r.Group + " may " + string(r.Permission) + " " + r.Scope()
}

// Scope says what the rule selects: "to environments of kind production, for products tagged
// team-a, in flows hotfix".
func (r Rule) Scope() string {
	where := "to every environment"
	var parts []string
	if len(r.Environments.Names) > 0 {
		parts = append(parts, "named "+strings.Join(r.Environments.Names, ", "))
	}
	if len(r.Environments.Kinds) > 0 {
		parts = append(parts, "of kind "+strings.Join(r.Environments.Kinds, ", "))
	}
	if len(parts) > 0 {
		where = "to environments " + strings.Join(parts, " and ")
	}
	if r.Permission == Approve {
		where = "in" + strings.TrimPrefix(where, "to")
	}
	var products []string
	if len(r.Products.Names) > 0 {
		products = append(products, "named "+strings.Join(r.Products.Names, ", "))
	}
	if len(r.Products.Tags) > 0 {
		products = append(products, "tagged "+strings.Join(r.Products.Tags, " or "))
	}
	if len(products) > 0 {
		where += ", for products " + strings.Join(products, " and ")
	}
	if len(r.Flows.Names) > 0 {
		where += ", in flows " + strings.Join(r.Flows.Names, ", ")
	}
	return where
}
