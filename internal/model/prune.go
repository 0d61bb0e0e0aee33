package model

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"ladder/db"
	"ladder/internal/fault"
)

// prunedKinds are the kinds a prune deletes from: those the file has documents of.
func prunedKinds(docs []incoming) map[string]bool {
	out := map[string]bool{}
	for _, d := range docs {
		out[d.kind] = true
	}
	return out
}

// stored names a stored entity as a document of the file would: its key and its label.
func stored(d document) incoming {
	in := incoming{kind: d.kind, name: d.name, spec: d.spec}
	if a, ok := d.spec.(ApplicationSpec); ok {
		in.spec = &a
	}
	return in
}

// prune deletes the stored entities of the pruned kinds that no document names, in reverse
// kind order (applications before their products and environments, …), inside the apply's
// transaction. What a release that is not over uses, and what a kept entity still refers to,
// is not deleted: each is a problem, and so the whole apply is refused.
func (s *Service) prune(ctx context.Context, q *db.Queries, docs []incoming, st state) ([]Change, []Problem, error) {
	keep := map[string]bool{}
	for _, d := range docs {
		keep[d.key()] = true
	}
	busy, err := activeUses(ctx, q)
	if err != nil {
		return nil, nil, err
	}
	var changes []Change
	var problems []Problem
	for i := len(Kinds) - 1; i >= 0; i-- {
		kind := Kinds[i]
		if !st.prune[kind] {
			continue
		}
		for _, e := range st.docs {
			d := stored(e)
			if e.kind != kind || keep[d.key()] {
				continue
			}
			err := busy.check(d)
			if err == nil {
				err = s.deleteOne(ctx, q, d)
			}
			if errors.Is(err, fault.ErrConflict) || errors.Is(err, fault.ErrNotFound) {
				problems = append(problems, Problem{Kind: kind, Name: d.label(),
					Message: "cannot be deleted: " + err.Error()})
				continue
			}
			if err != nil {
				return nil, nil, fmt.Errorf("delete %s %s: %w", kind, d.label(), err)
			}
			changes = append(changes, Change{Kind: kind, Name: d.label(), Action: Delete})
		}
	}
	return changes, problems, nil
}

// deleteOne deletes one stored entity through its service, whose own checks refuse what is
// still in use.
func (s *Service) deleteOne(ctx context.Context, q *db.Queries, d incoming) error {
	if k := s.settingKind(d.kind); k != nil {
		return k.delete(ctx, q, d.name)
	}
	switch spec := d.spec.(type) {
	case EnvironmentSpec:
		return s.Environments.DeleteTx(ctx, q, d.name)
	case *ApplicationSpec:
		return s.Applications.DeleteTx(ctx, q, spec.Environment, d.name)
	case ProductSpec:
		if err := productUsers(ctx, q, d.name); err != nil {
			return err
		}
		return s.Products.DeleteTx(ctx, q, d.name)
	case FlowSpec:
		return s.Flows.DeleteTx(ctx, q, d.name)
	case WorkflowSpec:
		return s.Workflows.DeleteTx(ctx, q, d.name)
	case PolicySpec:
		return s.Policies.DeleteTx(ctx, q, d.name)
	case FreezeWindowSpec:
		return s.Windows.DeleteTx(ctx, q, d.name)
	case AccessRuleSpec:
		if s.Rules != nil {
			return s.Rules.DeleteRuleTx(ctx, q, d.name)
		}
	}
	return fmt.Errorf("%s %s: cannot be deleted by a prune", d.kind, d.name)
}

// productUsers refuses a product that freeze windows or notification channels still name
// (its applications are checked by the product service).
func productUsers(ctx context.Context, q *db.Queries, name string) error {
	var users []string
	windows, err := q.ListFreezeWindows(ctx)
	if err != nil {
		return fmt.Errorf("list freeze windows: %w", err)
	}
	for _, w := range windows {
		if w.Product == name {
			users = append(users, "freeze window "+w.Name)
		}
	}
	channels, err := q.ListNotificationChannels(ctx)
	if err != nil {
		return fmt.Errorf("list notification channels: %w", err)
	}
	for _, c := range channels {
		if c.Product == name {
			users = append(users, "notification channel "+c.Name)
		}
	}
	if len(users) > 0 {
		return fmt.Errorf("product %s is used by %s: %w", name, strings.Join(users, ", "), fault.ErrConflict)
	}
	return nil
}

// releaseUses is what releases that are not over use, each with the first such release.
type releaseUses struct {
	products, flows, environments, applications map[string]string
}

func activeUses(ctx context.Context, q *db.Queries) (releaseUses, error) {
	rows, err := q.ListActiveReleaseParts(ctx)
	if err != nil {
		return releaseUses{}, fmt.Errorf("list releases that are not over: %w", err)
	}
	u := releaseUses{map[string]string{}, map[string]string{}, map[string]string{}, map[string]string{}}
	first := func(m map[string]string, key, rel string) {
		if _, ok := m[key]; !ok && key != "" {
			m[key] = rel
		}
	}
	for _, r := range rows {
		rel := fmt.Sprintf("%s #%d", r.Product, r.Number)
		first(u.products, r.Product, rel)
		first(u.flows, r.Flow, rel)
		first(u.environments, r.Environment, rel)
		if r.Application != "" {
			first(u.applications, r.Environment+"/"+r.Application, rel)
		}
	}
	return u, nil
}

// check refuses an entity a release that is not over uses.
func (u releaseUses) check(d incoming) error {
	var m map[string]string
	switch d.kind {
	case KindProduct:
		m = u.products
	case KindFlow:
		m = u.flows
	case KindEnvironment:
		m = u.environments
	case KindApplication:
		m = u.applications
	default:
		return nil
	}
	if rel, ok := m[d.label()]; ok {
		return fmt.Errorf("release %s, which is not over, uses it: %w", rel, fault.ErrConflict)
	}
	return nil
}
