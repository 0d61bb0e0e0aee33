package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"ladder/db"
	"ladder/internal/argowf"
	"ladder/internal/fault"
	"ladder/internal/secret"
	"ladder/views"
)

func newArgoWorkflowsService(t *testing.T) *argowf.Service {
	t.Helper()
	conn, err := db.Open(context.Background(), filepath.Join(t.TempDir(), "ladder.db"))
	if err != nil {
		t.Fatalf("open db: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	box, err := secret.NewBox([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	return argowf.NewService(conn, box, fault.NewValidator(), time.Now)
}

// TestArgoWorkflowsServerForm: invalid input answers 422 with errors next to the fields; a
// valid server is listed without its token.
func TestArgoWorkflowsServerForm(t *testing.T) {
	svc := newArgoWorkflowsService(t)
	bad := url.Values{"name": {"checks"}, "url": {"argo.example.com"}, "namespace": {"Not A Namespace"}}
	status, body := call(t, createSealed(argoWorkflowsPages(svc)), "POST", views.ArgoWorkflowsKind.URL, bad, "", true)
	if status != http.StatusUnprocessableEntity {
		t.Fatalf("got status %d, want 422", status)
	}
	for _, field := range []string{"url", "namespace", "token"} {
		if msg, ok := byTestID(body, "error-"+field); !ok || msg == "" {
			t.Errorf("got no error next to %s, want one", field)
		}
	}
	good := url.Values{"name": {"checks"}, "url": {"https://argo.example.com"}, "namespace": {"ladder-checks"}, "token": {"very-secret-token"}}
	if status, _ := call(t, createSealed(argoWorkflowsPages(svc)), "POST", views.ArgoWorkflowsKind.URL, good, "", false); status != http.StatusSeeOther {
		t.Fatalf("create: got status %d, want 303", status)
	}
	status, body = call(t, listSealed(argoWorkflowsPages(svc)), "GET", views.ArgoWorkflowsKind.URL, nil, "", false)
	if status != http.StatusOK {
		t.Fatalf("list: got status %d, want 200", status)
	}
	if row, ok := byTestID(body, "argowf-checks"); !ok || !strings.Contains(row, "ladder-checks") {
		t.Errorf("got row %q, want the server with its namespace", row)
	}
	if strings.Contains(body, "very-secret-token") {
		t.Error("the list page shows the token")
	}
}

// TestArgoWorkflowsServerTestConnection: the test button lists workflows of the namespace with
// the bearer token and says whether that worked.
func TestArgoWorkflowsServerTestConnection(t *testing.T) {
	var auth atomic.Value
	fakeArgo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth.Store(r.Header.Get("Authorization"))
		if r.URL.Path != "/api/v1/workflows/ladder-checks" {
			w.WriteHeader(http.StatusForbidden)
			_, _ = w.Write([]byte(`{"code":7,"message":"workflows.argoproj.io is forbidden"}`))
			return
		}
		_, _ = w.Write([]byte(`{"metadata":{},"items":[]}`))
	}))
	defer fakeArgo.Close()
	svc := newArgoWorkflowsService(t)
	for _, in := range []argowf.Input{
		{Name: "good", URL: fakeArgo.URL, Namespace: "ladder-checks", Token: "tok"},
		{Name: "refused", URL: fakeArgo.URL, Namespace: "other", Token: "tok"},
	} {
		if _, err := svc.Create(context.Background(), in); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct{ server, testID, want string }{
		{"good", "argowf-test-ok", "namespace ladder-checks"},
		{"refused", "argowf-test-failed", "403"},
	}
	for _, tt := range tests {
		t.Run(tt.server, func(t *testing.T) {
			status, body := call(t, testSealed(argoWorkflowsPages(svc)), "POST", views.ArgoWorkflowsKind.URL+"/"+tt.server+"/test", nil, tt.server, true)
			if status != http.StatusOK {
				t.Fatalf("got status %d, want 200", status)
			}
			if msg, ok := byTestID(body, tt.testID); !ok || !strings.Contains(msg, tt.want) {
				t.Errorf("got %q, want %s containing %q", body, tt.testID, tt.want)
			}
			if got := auth.Load(); got != "Bearer tok" {
				t.Errorf("got Authorization %v, want Bearer tok", got)
			}
		})
	}
}
