package trigger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"ladder/db"
	"ladder/internal/application"
	"ladder/internal/audit"
	"ladder/internal/fault"
	"ladder/internal/gitops"
	"ladder/internal/promotion"
)

// Failure is a change the trigger found but could not start a release for, with why and
// where to fix it. There is one per product and commit; it stays until a release of its
// application starts or a newer change of it fails instead.
type Failure struct {
	Product       string
	Application   string // environment/name
	Flow          string
	CommitSHA     string
	CommitMessage string
	Reason        string
	FixURL        string // the page where the cause can be fixed
	FixLabel      string
	At            time.Time // when it was first seen
}

// Failures reads the failed triggers recorded by the trigger.
type Failures struct {
	q    *db.Queries
	kept *db.Memo[string, []Failure] // List's answers by product, while no failure is written
}

// NewFailures returns a reader of the failed triggers on conn, with now telling the time.
func NewFailures(conn *sql.DB, now func() time.Time) *Failures {
	return &Failures{q: db.New(conn), kept: db.NewMemo[string, []Failure](db.VersionOf(conn, "trigger_failures"), now)}
}

// List returns the failed triggers of product (every product when it is ""), newest first.
// The list is shared: callers must not change it.
func (f *Failures) List(ctx context.Context, product string) ([]Failure, error) {
	if f == nil {
		return nil, nil
	}
	return f.kept.Get(product, func() ([]Failure, error) { return f.read(ctx, product) })
}

// read reads List's answer from the database.
func (f *Failures) read(ctx context.Context, product string) ([]Failure, error) {
	var rows []db.TriggerFailure
	var err error
	if product == "" {
		rows, err = f.q.ListTriggerFailures(ctx)
	} else {
		rows, err = f.q.ListTriggerFailuresOfProduct(ctx, product)
	}
	if err != nil {
		return nil, fmt.Errorf("list failed triggers: %w", err)
	}
	out := make([]Failure, 0, len(rows))
	for _, r := range rows {
		out = append(out, Failure{Product: r.Product, Application: r.Application, Flow: r.Flow, CommitSHA: r.CommitSha,
			CommitMessage: r.CommitMessage, Reason: r.Reason, FixURL: r.FixUrl, FixLabel: r.FixLabel, At: r.CreatedAt.UTC()})
	}
	return out, nil
}

// failed handles a release that could not start for app's change c through flowName. A
// transient error (Git unreachable) is returned as it is, for the poller to log. Any other
// error is recorded as a failed trigger, once per product and commit, with an audit record;
// the change is tried again at every poll, so fixing the model starts the release, and
// nothing more is logged while the cause stays the same.
func (t *Trigger) failed(ctx context.Context, app application.Application, flowName string, c gitops.Commit, cause error) error {
	if gitops.Transient(cause) || ctx.Err() != nil {
		return cause
	}
	url, label := fixFor(app, flowName, cause)
	reason := reasonOf(cause)
	now := t.now().UTC()
	var changed bool
	err := db.InTx(ctx, t.db, func(q *db.Queries) error {
		old, err := q.GetTriggerFailure(ctx, db.GetTriggerFailureParams{Product: app.Product, CommitSha: c.SHA})
		switch {
		case errors.Is(err, sql.ErrNoRows):
			changed = true
		case err != nil:
			return fmt.Errorf("get failed trigger: %w", err)
		default:
			changed = old.Reason != reason
		}
		if !changed {
			return nil
		}
		if err := q.UpsertTriggerFailure(ctx, db.UpsertTriggerFailureParams{Product: app.Product, CommitSha: c.SHA,
			ApplicationID: app.ID, Application: app.Key(), Flow: flowName, CommitMessage: firstLine(c.Message),
			Reason: reason, FixUrl: url, FixLabel: label, CreatedAt: now, UpdatedAt: now}); err != nil {
			return fmt.Errorf("record failed trigger: %w", err)
		}
		if err := q.DeleteOtherTriggerFailuresOfApplication(ctx, db.DeleteOtherTriggerFailuresOfApplicationParams{
			ApplicationID: app.ID, CommitSha: c.SHA}); err != nil {
			return fmt.Errorf("replace failed triggers of %s: %w", app.Key(), err)
		}
		return audit.Record(ctx, q, now, audit.Entry{Actor: Initiator, Action: "failed", Kind: "trigger", Name: app.Product,
			Detail: fmt.Sprintf("commit %s on %s could not start %s: %s", short(c.SHA), app.Key(), flowName, reason)})
	})
	if err != nil {
		return err
	}
	if changed {
		t.log.Warn("a change could not start a release", "product", app.Product, "flow", flowName,
			"commit", short(c.SHA), "application", app.Key(), "err", cause)
	}
	return nil
}

// reasonOf says why a release could not start, without the wrapping the logs need.
func reasonOf(cause error) string {
	var sp *promotion.StepProblem
	if errors.As(cause, &sp) {
		return sp.Error()
	}
	if fe, ok := fault.Fields(cause); ok {
		msgs := make([]string, 0, len(fe))
		for _, k := range slices.Sorted(maps.Keys(fe)) {
			msgs = append(msgs, fe[k])
		}
		return strings.Join(msgs, "; ")
	}
	return cause.Error()
}

// fixFor is the page where the cause of a failed trigger can be fixed: the flow for a step
// that cannot run (whose page shows the step's problem and links the policies), the
// applications for a missing one, else the product.
func fixFor(app application.Application, flowName string, cause error) (url, label string) {
	if sp := (*promotion.StepProblem)(nil); errors.As(cause, &sp) {
		return sp.Fix()
	}
	return "/products/" + app.Product, "Check the settings of " + app.Product
}

// cleared forgets app's failed triggers once a release of it started, in q's transaction.
func cleared(ctx context.Context, q *db.Queries, app application.Application) error {
	if err := q.DeleteTriggerFailuresOfApplication(ctx, app.ID); err != nil {
		return fmt.Errorf("clear failed triggers of %s: %w", app.Key(), err)
	}
	return nil
}
