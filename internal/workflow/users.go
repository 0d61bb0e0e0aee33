package workflow

import (
	"context"
	"fmt"
	"slices"

	"ladder/db"
)

// UsersOfSecret names the workflows whose steps use the workflow secret called secret, read
// with q (inside the transaction that would delete the secret).
func UsersOfSecret(ctx context.Context, q *db.Queries, secret string) ([]string, error) {
	return users(ctx, q, func(w Workflow) bool { return slices.Contains(w.SecretNames(), secret) })
}

// UsersOfArgoServer names the workflows with an argo step on the Argo Workflows server called
// server, read with q (inside the transaction that would delete or rename it).
func UsersOfArgoServer(ctx context.Context, q *db.Queries, server string) ([]string, error) {
	return users(ctx, q, func(w Workflow) bool {
		return slices.ContainsFunc(w.Steps, func(s Step) bool { return s.Argo != nil && s.Argo.Server == server })
	})
}

// users names the workflows uses holds for, in name order.
func users(ctx context.Context, q *db.Queries, uses func(Workflow) bool) ([]string, error) {
	rows, err := q.ListWorkflows(ctx)
	if err != nil {
		return nil, fmt.Errorf("list workflows: %w", err)
	}
	var names []string
	for _, r := range rows {
		w, err := fromRow(r)
		if err != nil {
			return nil, err
		}
		if uses(w) {
			names = append(names, w.Name)
		}
	}
	return names, nil
}
