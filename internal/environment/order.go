package environment

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"ladder/db"
	"ladder/internal/audit"
	"ladder/internal/fault"
)

// Move shifts the environment called name by delta places in the dashboard order (negative
// moves it left). Moving past either end leaves it at that end.
func (s *Service) Move(ctx context.Context, name string, delta int) error {
	return s.reorder(ctx, func(names []string) ([]string, error) {
		i := slices.Index(names, name)
		if i < 0 {
			return nil, fmt.Errorf("environment %q: %w", name, fault.ErrNotFound)
		}
		j := min(max(i+delta, 0), len(names)-1)
		names = slices.Delete(names, i, i+1)
		return slices.Insert(names, j, name), nil
	})
}

// Reorder puts the environments in the order given, which must name each of them exactly once.
func (s *Service) Reorder(ctx context.Context, order []string) error {
	return s.reorder(ctx, func(names []string) ([]string, error) { return reordered(names, order) })
}

// ReorderTx is Reorder inside the caller's transaction q.
func (s *Service) ReorderTx(ctx context.Context, q *db.Queries, order []string) error {
	return s.reorderTx(ctx, q, func(names []string) ([]string, error) { return reordered(names, order) })
}

// reordered checks that order names each of names exactly once.
func reordered(names, order []string) ([]string, error) {
	a, b := slices.Clone(names), slices.Clone(order)
	slices.Sort(a)
	slices.Sort(b)
	if !slices.Equal(a, b) {
		return nil, fault.FieldErrors{"order": "must name every environment exactly once"}
	}
	return order, nil
}

// reorder loads the current order, lets change compute the new one, and stores positions 1..n.
func (s *Service) reorder(ctx context.Context, change func([]string) ([]string, error)) error {
	return db.InTx(ctx, s.db, func(q *db.Queries) error { return s.reorderTx(ctx, q, change) })
}

func (s *Service) reorderTx(ctx context.Context, q *db.Queries, change func([]string) ([]string, error)) error {
	rows, err := q.ListEnvironments(ctx)
	if err != nil {
		return fmt.Errorf("list environments: %w", err)
	}
	ids := make(map[string]int64, len(rows))
	names := make([]string, 0, len(rows))
	for _, r := range rows {
		ids[r.Name] = r.ID
		names = append(names, r.Name)
	}
	order, err := change(names)
	if err != nil {
		return err
	}
	now := s.now().UTC()
	for i, n := range order {
		if err := q.SetEnvironmentPosition(ctx, db.SetEnvironmentPositionParams{
			Position: int64(i + 1), UpdatedAt: now, ID: ids[n]}); err != nil {
			return fmt.Errorf("set position of %q: %w", n, err)
		}
	}
	return audit.Record(ctx, q, now, audit.Entry{Actor: audit.Actor(ctx), Action: "reorder",
		Kind: "environment", Name: "*", Detail: strings.Join(order, ", ")})
}
