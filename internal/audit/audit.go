// Package audit records who changed what. Every create, update and delete in Ladder writes one
// record through Record, inside the same transaction as the change itself.
package audit

import (
	"context"
	"time"

	"ladder/db"
)

// Entry is one change to record.
type Entry struct {
	Actor  string // the user name, or "auto" for Ladder itself
	Action string // create, update, delete, freeze, ...
	Kind   string // the entity kind, e.g. "environment"
	Name   string // the entity's name
	Detail string // a short human description; never a secret
}

// Record writes e with q, which must belong to the transaction that makes the change.
func Record(ctx context.Context, q *db.Queries, at time.Time, e Entry) error {
	return q.CreateAuditRecord(ctx, db.CreateAuditRecordParams{
		At:         at.UTC(),
		Actor:      e.Actor,
		Action:     e.Action,
		EntityKind: e.Kind,
		EntityName: e.Name,
		Detail:     e.Detail,
	})
}

type actorKey struct{}

// WithActor returns a context that names the user acting in it.
func WithActor(ctx context.Context, actor string) context.Context {
	return context.WithValue(ctx, actorKey{}, actor)
}

// Actor returns the user acting in ctx, or "system" when none was named.
func Actor(ctx context.Context) string {
	if a, ok := ctx.Value(actorKey{}).(string); ok && a != "" {
		return a
	}
	return "system"
}
