package runner_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// fakeArgoServer is an Argo Server answering the REST API calls of the argo step with the
// JSON shapes the Argo Workflows API publishes; it records every request.
type fakeArgoServer struct {
	*httptest.Server
	mu        sync.Mutex
	requests  []argoRequest
	workflows map[string]*fakeWorkflow
	order     []string
	// hang, when set, keeps each submit's answer back until the client gives up: the workflow
	// is created, but the submitter never hears so (a crash in the middle of a submit).
	hang bool
}

// argoRequest is one request the fake received.
type argoRequest struct {
	Method, Path, Auth string
	Body               map[string]any
}

type fakeWorkflow struct {
	phase, message string
	outputs        map[string]string
	logs           []string
}

func newFakeArgoServer(t *testing.T) *fakeArgoServer {
	f := &fakeArgoServer{workflows: map[string]*fakeWorkflow{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/v1/workflows/{ns}/submit", f.submit)
	mux.HandleFunc("GET /api/v1/workflows/{ns}/{name}", f.get)
	mux.HandleFunc("GET /api/v1/workflows/{ns}/{name}/log", f.log)
	mux.HandleFunc("PUT /api/v1/workflows/{ns}/{name}/terminate", f.terminate)
	f.Server = httptest.NewServer(f.record(mux))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeArgoServer) record(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		var body map[string]any
		_ = json.Unmarshal(raw, &body)
		f.mu.Lock()
		f.requests = append(f.requests, argoRequest{Method: r.Method, Path: r.URL.Path, Auth: r.Header.Get("Authorization"), Body: body})
		f.mu.Unlock()
		r.Body = io.NopCloser(strings.NewReader(string(raw)))
		w.Header().Set("Content-Type", "application/json")
		next.ServeHTTP(w, r)
	})
}

func (f *fakeArgoServer) submit(w http.ResponseWriter, r *http.Request) {
	var in struct {
		ResourceKind  string `json:"resourceKind"`
		ResourceName  string `json:"resourceName"`
		SubmitOptions struct {
			Name string `json:"name"`
		} `json:"submitOptions"`
	}
	_ = json.NewDecoder(r.Body).Decode(&in)
	f.mu.Lock()
	defer f.mu.Unlock()
	name := in.SubmitOptions.Name
	if _, ok := f.workflows[name]; ok {
		w.WriteHeader(http.StatusConflict)
		fmt.Fprintf(w, `{"code":6,"message":"workflows.argoproj.io %q already exists"}`, name)
		return
	}
	f.workflows[name] = &fakeWorkflow{phase: "Running"}
	f.order = append(f.order, name)
	if f.hang {
		f.mu.Unlock()
		<-r.Context().Done()
		f.mu.Lock()
		return
	}
	fmt.Fprintf(w, `{"metadata":{"name":%q,"namespace":%q},"spec":{"workflowTemplateRef":{"name":%q}}}`, name, r.PathValue("ns"), in.ResourceName)
}

func (f *fakeArgoServer) find(w http.ResponseWriter, r *http.Request) *fakeWorkflow {
	wf := f.workflows[r.PathValue("name")]
	if wf == nil {
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprintf(w, `{"code":5,"message":"workflows.argoproj.io %q not found"}`, r.PathValue("name"))
	}
	return wf
}

func (f *fakeArgoServer) get(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	wf := f.find(w, r)
	if wf == nil {
		return
	}
	type param struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	}
	var params []param
	for k, v := range wf.outputs {
		params = append(params, param{k, v})
	}
	node := map[string]any{"id": r.PathValue("name"), "phase": wf.phase, "outputs": map[string]any{"parameters": params}}
	_ = json.NewEncoder(w).Encode(map[string]any{
		"metadata": map[string]any{"name": r.PathValue("name"), "namespace": r.PathValue("ns")},
		"status": map[string]any{"phase": wf.phase, "message": wf.message,
			"nodes": map[string]any{r.PathValue("name"): node}},
	})
}

func (f *fakeArgoServer) log(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	wf := f.find(w, r)
	if wf == nil {
		return
	}
	for _, line := range wf.logs {
		b, _ := json.Marshal(map[string]any{"result": map[string]string{"content": line, "podName": r.PathValue("name") + "-main-1"}})
		fmt.Fprintf(w, "%s\n", b)
	}
}

func (f *fakeArgoServer) terminate(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	wf := f.find(w, r)
	if wf == nil {
		return
	}
	wf.phase, wf.message = "Failed", "Stopped with strategy 'Terminate'"
	fmt.Fprintf(w, `{"metadata":{"name":%q},"status":{"phase":"Running"}}`, r.PathValue("name"))
}

// only returns the name of the one workflow submitted, failing when there is not exactly one.
func (f *fakeArgoServer) only(t *testing.T) string {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.order) != 1 {
		t.Fatalf("got %d workflows submitted, want 1", len(f.order))
	}
	return f.order[0]
}

// setHang sets whether submits hang.
func (f *fakeArgoServer) setHang(on bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.hang = on
}

// submitted returns how many workflows were created.
func (f *fakeArgoServer) submitted() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.order)
}

// change edits workflow name.
func (f *fakeArgoServer) change(name string, edit func(*fakeWorkflow)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	edit(f.workflows[name])
}

// calls returns the recorded requests with method whose path ends with suffix.
func (f *fakeArgoServer) calls(method, suffix string) []argoRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []argoRequest
	for _, r := range f.requests {
		if r.Method == method && strings.HasSuffix(r.Path, suffix) {
			out = append(out, r)
		}
	}
	return out
}
