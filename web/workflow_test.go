package web

import (
	"context"
	"database/sql"
	"html"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"ladder/db"
	"ladder/internal/environment"
	"ladder/internal/fault"
	"ladder/internal/flow"
	"ladder/internal/policy"
	"ladder/internal/workflow"
)

// modelFixture is a migrated SQLite database with the promotion model's services on it and
// environments dev, staging (non-production) and prod (production).
type modelFixture struct {
	conn  *sql.DB
	envs  *environment.Service
	wfs   *workflow.Service
	pols  *policy.Service
	flows *flow.Service
}

func newModelFixture(t *testing.T) modelFixture {
	t.Helper()
	ctx := context.Background()
	conn, err := db.Open(ctx, filepath.Join(t.TempDir(), "ladder.db"))
	if err != nil {
		t.Fatalf("open db: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	now := func() time.Time { return time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC) }
	check := fault.NewValidator()
	fx := modelFixture{conn: conn, envs: environment.NewService(conn, check, now),
		wfs: workflow.NewService(conn, check, now), pols: policy.NewService(conn, check, now)}
	fx.flows = flow.NewService(conn, check, now, fx.envs, fx.pols)
	for _, e := range []environment.Input{{Name: "dev", Kind: "non-production"}, {Name: "staging", Kind: "non-production"},
		{Name: "prod", Kind: "production", Tags: []string{"customer-facing"}}} {
		if _, err := fx.envs.Create(ctx, e); err != nil {
			t.Fatalf("create environment %s: %v", e.Name, err)
		}
	}
	return fx
}

func (fx modelFixture) count(t *testing.T, table string) int {
	t.Helper()
	var n int
	if err := fx.conn.QueryRow("SELECT COUNT(*) FROM " + table).Scan(&n); err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}

// call runs handler h on one request. form (when not nil) is posted; name fills {name}; htmx
// marks the request as coming from htmx.
func call(t *testing.T, h handlerFunc, method, target string, form url.Values, name string, htmx bool) (int, string) {
	t.Helper()
	var req *http.Request
	if form != nil {
		req = httptest.NewRequest(method, target, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		req = httptest.NewRequest(method, target, nil)
	}
	if name != "" {
		req.SetPathValue("name", name)
	}
	if htmx {
		req.Header.Set("HX-Request", "true")
	}
	rec := httptest.NewRecorder()
	errorHandler(slog.New(slog.DiscardHandler), h).ServeHTTP(rec, req)
	return rec.Code, rec.Body.String()
}

// byTestID returns the text inside the first element marked data-testid=id (tags removed,
// entities decoded, spaces collapsed), and whether there is one.
func byTestID(body, id string) (string, bool) {
	open := regexp.MustCompile(`<([a-zA-Z]+)[^>]*\sdata-testid="` + regexp.QuoteMeta(id) + `"[^>]*>`)
	loc := open.FindStringSubmatchIndex(body)
	if loc == nil {
		return "", false
	}
	tag := body[loc[2]:loc[3]]
	rest := body[loc[1]:]
	if end := strings.Index(rest, "</"+tag+">"); end >= 0 {
		rest = rest[:end]
	}
	text := regexp.MustCompile(`<[^>]*>`).ReplaceAllString(rest, " ")
	return strings.Join(strings.Fields(html.UnescapeString(text)), " "), true
}

func workflowForm(pairs ...string) url.Values {
	v := url.Values{"name": {"smoke"}, "timeout": {"10m"},
		"steps.0.name": {"health"}, "steps.0.kind": {"http"}, "steps.0.method": {"GET"},
		"steps.0.url": {"https://{{.APP_NAME}}.example/healthz"}, "steps.0.retries": {"3"},
		"steps.1.name": {"soak"}, "steps.1.kind": {"wait"}, "steps.1.duration": {"2m"}}
	for i := 0; i+1 < len(pairs); i += 2 {
		v.Set(pairs[i], pairs[i+1])
	}
	return v
}

// TestCreateWorkflowRejectsInvalidInput proves invalid input answers 422 with the error next
// to its field — nested fields included — and stores nothing.
func TestCreateWorkflowRejectsInvalidInput(t *testing.T) {
	tests := []struct {
		name  string
		form  url.Values
		field string
	}{
		{"bad name", workflowForm("name", "Smoke!"), "name"},
		{"bad timeout", workflowForm("timeout", "forever"), "timeout"},
		{"url template does not parse", workflowForm("steps.0.url", "https://{{.APP_NAME"), "steps.0.url"},
		{"retries not a number", workflowForm("steps.0.retries", "many"), "steps.0.retries"},
		{"wait without duration", workflowForm("steps.1.duration", ""), "steps.1.duration"},
		{"unknown kind", workflowForm("steps.1.kind", "k8s-job"), "steps.1.kind"},
		{"argo step without template", workflowForm("steps.1.kind", "argo", "steps.1.server", "checks"), "steps.1.template"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fx := newModelFixture(t)
			status, body := call(t, createWorkflow(fx.wfs), "POST", "/workflows", tt.form, "", true)
			if status != http.StatusUnprocessableEntity {
				t.Fatalf("got status %d, want 422", status)
			}
			if msg, ok := byTestID(body, "error-"+tt.field); !ok || msg == "" {
				t.Errorf("got no error next to %s, want one", tt.field)
			}
			if n := fx.count(t, "workflows"); n != 0 {
				t.Errorf("got %d workflows stored, want 0", n)
			}
		})
	}
}

// TestCreateWorkflow proves valid input is stored and the browser is sent to its page.
func TestCreateWorkflow(t *testing.T) {
	fx := newModelFixture(t)
	status, _ := call(t, createWorkflow(fx.wfs), "POST", "/workflows", workflowForm(), "", false)
	if status != http.StatusSeeOther {
		t.Fatalf("got status %d, want 303", status)
	}
	w, err := fx.wfs.Get(context.Background(), "smoke")
	if err != nil || len(w.Steps) != 2 || w.Steps[0].HTTP.URL != "https://{{.APP_NAME}}.example/healthz" {
		t.Errorf("got %+v (err %v), want the two steps as posted", w, err)
	}
}

var stepNamePattern = regexp.MustCompile(`name="steps\.(\d+)\.name"[^>]*value="([^"]*)"`)

// TestEditWorkflowSteps proves the editor's step operations on the posted steps.
func TestEditWorkflowSteps(t *testing.T) {
	tests := []struct {
		query string
		want  string
	}{
		{"op=up&i=1", "soak health"},
		{"op=down&i=0", "soak health"},
		{"op=up&i=0", "health soak"},
		{"op=remove&i=0", "soak"},
		{"op=add&kind=approval", "health soak approval-3"},
		{"op=kind&i=1", "health soak"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			status, body := call(t, editWorkflowSteps, "POST", "/workflows/new/steps?"+tt.query, workflowForm(), "new", true)
			if status != http.StatusOK {
				t.Fatalf("got status %d, want 200", status)
			}
			var names []string
			for _, m := range stepNamePattern.FindAllStringSubmatch(body, -1) {
				names = append(names, m[2])
			}
			if got := strings.Join(names, " "); got != tt.want {
				t.Errorf("got steps %q, want %q", got, tt.want)
			}
		})
	}
}

// TestDeleteWorkflowInUse proves a workflow a policy uses is not deleted: 409 naming the
// policy.
func TestDeleteWorkflowInUse(t *testing.T) {
	fx := newModelFixture(t)
	ctx := context.Background()
	if status, _ := call(t, createWorkflow(fx.wfs), "POST", "/workflows", workflowForm(), "", false); status != http.StatusSeeOther {
		t.Fatalf("create workflow: got %d, want 303", status)
	}
	if _, err := fx.pols.Create(ctx, policy.Input{Name: "default", Settings: policy.Settings{Action: "commit", PostAction: "smoke"}}); err != nil {
		t.Fatalf("create policy: %v", err)
	}
	status, body := call(t, deleteWorkflow(fx.wfs), "POST", "/workflows/smoke/delete", url.Values{}, "smoke", false)
	if msg, _ := byTestID(body, "error-page"); status != http.StatusConflict || !strings.Contains(msg, "policy default") {
		t.Errorf("got %d %q, want 409 naming policy default", status, msg)
	}
	if n := fx.count(t, "workflows"); n != 1 {
		t.Errorf("got %d workflows, want 1", n)
	}
}
