package trigger_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"ladder/internal/audit"
	"ladder/internal/fault"
	"ladder/internal/policy"
	"ladder/internal/trigger"
)

// TestChangeThatCannotStartIsRecordedOnce: with no policy giving the flow's step an action, a
// change starts no release; it is recorded as one failed trigger (reason, link to the flow),
// one audit record and one warning however often Git is polled. Once a policy gives the step
// an action, the next poll starts the release and the failed trigger is gone.
func TestChangeThatCannotStartIsRecordedOnce(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	policies := policy.NewService(w.conn, fault.NewValidator(), time.Now)
	must(t, func() error { return policies.Delete(ctx, "default") })
	var logs bytes.Buffer
	tr := trigger.New(w.conn, w.deps, time.Hour, slog.New(slog.NewTextHandler(&logs, nil)), time.Now)
	tr.Poll(ctx) // the baseline
	writeFile(t, w.dev, "chart/Chart.yaml", "apiVersion: v2\nname: shop\nappVersion: \"1.1.0\"\n")
	sha := commit(t, w.dev, "bump to 1.1.0")
	for range 3 {
		tr.Poll(ctx)
	}
	if n := len(w.list()); n != 0 {
		t.Fatalf("got %d releases, want 0", n)
	}
	failures, err := trigger.NewFailures(w.conn, time.Now).List(ctx, "shop")
	if err != nil {
		t.Fatal(err)
	}
	if len(failures) != 1 {
		t.Fatalf("got %d failed triggers, want 1: %+v", len(failures), failures)
	}
	f := failures[0]
	if f.CommitSHA != sha || f.Flow != "dev-to-staging" || f.Application != "dev/shop-dev" || f.CommitMessage != "bump to 1.1.0" {
		t.Errorf("got failure at %s, flow %q, application %q, message %q; want %s, dev-to-staging, dev/shop-dev, the commit's",
			f.CommitSHA, f.Flow, f.Application, f.CommitMessage, sha)
	}
	if !strings.Contains(f.Reason, "environment staging") || !strings.Contains(f.Reason, "no action") {
		t.Errorf("got reason %q, want it to name staging and the missing action", f.Reason)
	}
	if f.FixURL != "/flows/dev-to-staging" {
		t.Errorf("got fix link %q, want /flows/dev-to-staging", f.FixURL)
	}
	records, _, err := audit.NewLog(w.conn).Page(ctx, audit.Filter{Kind: "trigger"}, audit.Cursor{}, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(records) != 1 || records[0].Action != "failed" || records[0].Actor != trigger.Initiator {
		t.Errorf("got trigger audit records %+v, want one failed by auto", records)
	}
	if n := strings.Count(logs.String(), "level=WARN"); n != 1 {
		t.Errorf("got %d warnings over three polls, want 1:\n%s", n, logs.String())
	}

	must(t, func() error {
		_, err := policies.Create(ctx, policy.Input{Name: "default", Settings: policy.Settings{Action: "commit"}})
		return err
	})
	tr.Poll(ctx)
	list := w.list()
	if len(list) != 1 || list[0].Trigger.SHA != sha {
		t.Fatalf("after the fix got %d releases, want one at %s", len(list), sha)
	}
	if failures, _ := trigger.NewFailures(w.conn, time.Now).List(ctx, ""); len(failures) != 0 {
		t.Errorf("got %d failed triggers after the release started, want 0", len(failures))
	}
}
