package workflow_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ladder/db"
	"ladder/internal/fault"
	"ladder/internal/policy"
	"ladder/internal/workflow"
)

var fakeNow = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func newService(t *testing.T) (*workflow.Service, *sql.DB) {
	t.Helper()
	conn, err := db.Open(context.Background(), filepath.Join(t.TempDir(), "ladder.db"))
	if err != nil {
		t.Fatalf("open db: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	return workflow.NewService(conn, fault.NewValidator(), func() time.Time { return fakeNow }), conn
}

func count(t *testing.T, conn *sql.DB, query string) int {
	t.Helper()
	var n int
	if err := conn.QueryRow(query).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func validInput() workflow.Input {
	return workflow.Input{Name: "smoke", Steps: []workflow.Step{
		{Name: "health", Kind: workflow.KindHTTP, HTTP: &workflow.HTTPStep{URL: "https://{{.APP_NAME}}.example/healthz", Retries: 3}},
		{Name: "soak", Kind: workflow.KindWait, Wait: &workflow.WaitStep{Duration: "2m"}},
	}}
}

// TestCreateRejectsInvalidInput proves each rule reports on the field of the step it belongs
// to (steps.<index>.<field>) and that nothing is stored.
func TestCreateRejectsInvalidInput(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(*workflow.Input)
		field string
	}{
		{"bad name", func(in *workflow.Input) { in.Name = "Smoke Test" }, "name"},
		{"bad timeout", func(in *workflow.Input) { in.Timeout = "soon" }, "timeout"},
		{"no steps", func(in *workflow.Input) { in.Steps = nil }, "steps"},
		{"step without name", func(in *workflow.Input) { in.Steps[1].Name = "" }, "steps.1.name"},
		{"duplicate step name", func(in *workflow.Input) { in.Steps[1].Name = "health" }, "steps.1.name"},
		{"unknown kind", func(in *workflow.Input) { in.Steps[1] = workflow.Step{Name: "suite", Kind: "k8s-job"} }, "steps.1.kind"},
		{"argo without server", func(in *workflow.Input) {
			in.Steps[1] = workflow.Step{Name: "suite", Kind: "argo", Argo: &workflow.ArgoStep{Template: "e2e"}}
		}, "steps.1.server"},
		{"argo bad template name", func(in *workflow.Input) {
			in.Steps[1] = workflow.Step{Name: "suite", Kind: "argo", Argo: &workflow.ArgoStep{Server: "ci", Template: "E2E Suite"}}
		}, "steps.1.template"},
		{"argo bad parameter name", func(in *workflow.Input) {
			in.Steps[1] = workflow.Step{Name: "suite", Kind: "argo", Argo: &workflow.ArgoStep{Server: "ci", Template: "e2e",
				Parameters: []workflow.Param{{Name: "bad name", Value: "x"}}}}
		}, "steps.1.parameters"},
		{"url template does not parse", func(in *workflow.Input) { in.Steps[0].HTTP.URL = "https://{{.APP_NAME" }, "steps.0.url"},
		{"url without scheme", func(in *workflow.Input) { in.Steps[0].HTTP.URL = "example.com" }, "steps.0.url"},
		{"bad method", func(in *workflow.Input) { in.Steps[0].HTTP.Method = "FETCH" }, "steps.0.method"},
		{"bad header", func(in *workflow.Input) {
			in.Steps[0].HTTP.Headers = []workflow.Header{{Name: "Bad Header", Value: "x"}}
		}, "steps.0.headers"},
		{"bad expected status", func(in *workflow.Input) { in.Steps[0].HTTP.ExpectStatus = "ok" }, "steps.0.expectStatus"},
		{"bad JSONPath", func(in *workflow.Input) { in.Steps[0].HTTP.JSONPath = "status" }, "steps.0.jsonPath"},
		{"negative retries", func(in *workflow.Input) { in.Steps[0].HTTP.Retries = -1 }, "steps.0.retries"},
		{"bad interval", func(in *workflow.Input) { in.Steps[0].HTTP.Interval = "5" }, "steps.0.interval"},
		{"wait without duration", func(in *workflow.Input) { in.Steps[1].Wait.Duration = "" }, "steps.1.duration"},
		{"exec without command", func(in *workflow.Input) {
			in.Steps[1] = workflow.Step{Name: "run", Kind: workflow.KindExec, Exec: &workflow.ExecStep{}}
		}, "steps.1.command"},
		{"approval needing nobody", func(in *workflow.Input) {
			in.Steps[1] = workflow.Step{Name: "ok", Kind: workflow.KindApproval, Approval: &workflow.ApprovalStep{Required: -2}}
		}, "steps.1.required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc, conn := newService(t)
			in := validInput()
			tt.edit(&in)
			_, err := svc.Create(context.Background(), in)
			fe, ok := fault.Fields(err)
			if !ok || fe[tt.field] == "" {
				t.Fatalf("got error %v, want a field error on %q", err, tt.field)
			}
			if n := count(t, conn, "SELECT COUNT(*) FROM workflows"); n != 0 {
				t.Errorf("got %d workflows stored, want 0", n)
			}
		})
	}
}

// TestCreateFillsDefaults proves the defaults: 30 minute timeout, GET, 2xx, a retry interval
// when retrying, one approval.
func TestCreateFillsDefaults(t *testing.T) {
	svc, conn := newService(t)
	in := validInput()
	in.Steps = append(in.Steps, workflow.Step{Name: "ok", Kind: workflow.KindApproval})
	w, err := svc.Create(context.Background(), in)
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	h := w.Steps[0].HTTP
	if w.Timeout != 30*time.Minute || h.Method != "GET" || h.ExpectStatus != "2xx" || h.RetryInterval() != 10*time.Second {
		t.Errorf("got timeout %s, method %q, status %q, interval %s; want 30m0s, GET, 2xx, 10s",
			w.Timeout, h.Method, h.ExpectStatus, h.RetryInterval())
	}
	if a := w.Steps[2].Approval; a == nil || a.Required != 1 {
		t.Errorf("got approval %+v, want one approval required", a)
	}
	if n := count(t, conn, "SELECT COUNT(*) FROM audit_log WHERE entity_kind = 'workflow' AND action = 'create'"); n != 1 {
		t.Errorf("got %d audit records, want 1", n)
	}
}

// TestDeleteRefusedWhileUsed proves a workflow a policy uses is neither deleted nor renamed,
// and the refusal names the policy.
func TestDeleteRefusedWhileUsed(t *testing.T) {
	svc, conn := newService(t)
	ctx := context.Background()
	if _, err := svc.Create(ctx, validInput()); err != nil {
		t.Fatalf("create: %v", err)
	}
	policies := policy.NewService(conn, fault.NewValidator(), func() time.Time { return fakeNow })
	if _, err := policies.Create(ctx, policy.Input{Name: "default", Settings: policy.Settings{Action: "commit", PostAction: "smoke"}}); err != nil {
		t.Fatalf("create policy: %v", err)
	}
	err := svc.Delete(ctx, "smoke")
	if !errors.Is(err, fault.ErrConflict) || !strings.Contains(err.Error(), "policy default") {
		t.Errorf("got %v, want a conflict naming policy default", err)
	}
	in := validInput()
	in.Name = "smoke-2"
	_, err = svc.Update(ctx, "smoke", in)
	if fe, ok := fault.Fields(err); !ok || !strings.Contains(fe["name"], "policy default") {
		t.Errorf("got %v, want a name error naming policy default", err)
	}
	if err := policies.Delete(ctx, "default"); err != nil {
		t.Fatalf("delete policy: %v", err)
	}
	if err := svc.Delete(ctx, "smoke"); err != nil {
		t.Errorf("got %v deleting an unused workflow, want nil", err)
	}
	if n := count(t, conn, "SELECT COUNT(*) FROM workflows"); n != 0 {
		t.Errorf("got %d workflows, want 0", n)
	}
}

// TestAccepts proves the expected status rule.
func TestAccepts(t *testing.T) {
	tests := []struct {
		expect string
		status int
		want   bool
	}{
		{"", 204, true}, {"2xx", 200, true}, {"2xx", 301, false}, {"200", 200, true}, {"200", 201, false}, {"4xx", 404, true},
	}
	for _, tt := range tests {
		if got := (workflow.HTTPStep{ExpectStatus: tt.expect}).Accepts(tt.status); got != tt.want {
			t.Errorf("expect %q status %d: got %v, want %v", tt.expect, tt.status, got, tt.want)
		}
	}
}
