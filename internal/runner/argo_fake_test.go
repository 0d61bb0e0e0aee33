package runner_test

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeArgoServer is an Argo Server answering the REST API calls of the argo step with the
// JSON shapes the Argo Workflows API publishes (pkg/apiclient/workflow/workflow.proto; the
// Workflow of pkg/apis/workflow/v1alpha1/workflow_types.go; error bodies {code, message} of
// grpc-gateway); it records every request.
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
	Query              url.Values
	Body               map[string]any
}

type fakeWorkflow struct {
	phase, message string
	outputs        map[string]string // the entrypoint node's output parameters
	global         map[string]string // status.outputs: parameters exported with globalName
	nodes          []fakeNode        // nodes besides the entrypoint
	suspend        bool              // spec.suspend (argo suspend)
	kind           string            // resourceKind it was submitted from
	logs           []fakeLog
}

// fakeNode is one node of status.nodes.
type fakeNode struct {
	id, name, kind, phase string
	outputs               map[string]string
}

// fakeLog is one line a pod's main container wrote at a time.
type fakeLog struct {
	pod  string
	at   time.Time
	text string
}

func newFakeArgoServer(t *testing.T) *fakeArgoServer {
	f := &fakeArgoServer{workflows: map[string]*fakeWorkflow{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/v1/workflows/{ns}/submit", f.submit)
	mux.HandleFunc("GET /api/v1/workflows/{ns}/{name}", f.get)
	mux.HandleFunc("GET /api/v1/workflows/{ns}/{name}/log", f.log)
	mux.HandleFunc("PUT /api/v1/workflows/{ns}/{name}/terminate", f.terminate)
	mux.HandleFunc("PUT /api/v1/workflows/{ns}/{name}/resume", f.resume)
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
		f.requests = append(f.requests, argoRequest{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Auth: r.Header.Get("Authorization"), Body: body})
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
	f.workflows[name] = &fakeWorkflow{phase: "Running", kind: in.ResourceKind}
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
	name := r.PathValue("name")
	nodes := map[string]any{name: map[string]any{"id": name, "name": name, "displayName": name, "type": "Steps",
		"phase": wf.phase, "outputs": fakeOutputs(wf.outputs)}}
	for _, n := range wf.nodes {
		nodes[n.id] = map[string]any{"id": n.id, "name": name + "[0]." + n.name, "displayName": n.name, "type": n.kind,
			"phase": n.phase, "outputs": fakeOutputs(n.outputs)}
	}
	status := map[string]any{"phase": wf.phase, "message": wf.message, "nodes": nodes}
	if wf.global != nil {
		status["outputs"] = fakeOutputs(wf.global)
	}
	spec := map[string]any{"workflowTemplateRef": map[string]any{"name": "e2e-suite"}}
	if wf.suspend {
		spec["suspend"] = true
	}
	_ = json.NewEncoder(w).Encode(map[string]any{
		"metadata": map[string]any{"name": name, "namespace": r.PathValue("ns")}, "spec": spec, "status": status})
}

// fakeOutputs is an Outputs object with parameters named as in m.
func fakeOutputs(m map[string]string) map[string]any {
	params := []map[string]string{}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		params = append(params, map[string]string{"name": k, "value": m[k]})
	}
	return map[string]any{"parameters": params}
}

// log answers as util/logs/workflow-logger.go does with follow=false: the lines of every pod of
// the workflow (or only podName), read with timestamps from sinceTime on, merged by time; the
// timestamp stays in front of the content only when logOptions.timestamps is set.
func (f *fakeArgoServer) log(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	wf := f.find(w, r)
	if wf == nil {
		return
	}
	q := r.URL.Query()
	var since time.Time
	if s := q.Get("logOptions.sinceTime"); s != "" {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprintf(w, `{"code":3,"message":"parsing field \"logOptions.sinceTime\": %s"}`, err)
			return
		}
		since = t
	}
	lines := slices.Clone(wf.logs)
	slices.SortStableFunc(lines, func(a, b fakeLog) int { return a.at.Compare(b.at) })
	for _, l := range lines {
		if pod := q.Get("podName"); pod != "" && l.pod != pod || l.at.Before(since) {
			continue
		}
		content := l.text
		if q.Get("logOptions.timestamps") == "true" {
			content = l.at.UTC().Format(time.RFC3339Nano) + " " + l.text
		}
		b, _ := json.Marshal(map[string]any{"result": map[string]string{"content": content, "podName": l.pod}})
		fmt.Fprintf(w, "%s\n", b)
	}
}

// resume does what workflow/util/util.go ResumeWorkflow does: spec.suspend is cleared and every
// running Suspend node succeeds.
func (f *fakeArgoServer) resume(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	wf := f.find(w, r)
	if wf == nil {
		return
	}
	wf.suspend = false
	for i, n := range wf.nodes {
		if n.kind == "Suspend" && n.phase == "Running" {
			wf.nodes[i].phase = "Succeeded"
		}
	}
	fmt.Fprintf(w, `{"metadata":{"name":%q},"status":{"phase":%q}}`, r.PathValue("name"), wf.phase)
}

// say appends lines written by pod, one millisecond apart from at on.
func (wf *fakeWorkflow) say(pod string, at time.Time, lines ...string) {
	for i, l := range lines {
		wf.logs = append(wf.logs, fakeLog{pod: pod, at: at.Add(time.Duration(i) * time.Millisecond), text: l})
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

// lastQuery returns the query of the last request whose path ends with suffix.
func (f *fakeArgoServer) lastQuery(suffix string) url.Values {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := len(f.requests) - 1; i >= 0; i-- {
		if strings.HasSuffix(f.requests[i].Path, suffix) {
			return f.requests[i].Query
		}
	}
	return nil
}
