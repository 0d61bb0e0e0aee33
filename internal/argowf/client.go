// Package argowf talks to Argo Workflows: the servers Ladder knows (with their tokens sealed at
// rest) and a small client for the Argo Server REST API calls the argo workflow step needs —
// submit a workflow from a WorkflowTemplate or ClusterWorkflowTemplate, read it, read its logs,
// resume it, and terminate it.
package argowf

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"ladder/internal/endpoint"
)

// Phases of a workflow as Argo reports them.
const (
	Pending   = "Pending"
	Running   = "Running"
	Succeeded = "Succeeded"
	Failed    = "Failed"
	Error     = "Error"
)

// Workflow is the part of an Argo Workflow that the step reads.
type Workflow struct {
	Name    string
	Phase   string // empty until the controller picked it up
	Message string
	// Suspended is set while the running workflow waits to be resumed: spec.suspend is true or
	// a Suspend node runs (workflow/util/util.go IsWorkflowSuspended); SuspendedAt names the node.
	Suspended   bool
	SuspendedAt string
	// Outputs are the workflow's own output parameters: those of its entrypoint node (the node
	// whose ID is the workflow's name), overridden by the global ones in status.outputs.
	Outputs map[string]string
}

// Done reports whether the workflow ended.
func (w Workflow) Done() bool {
	return w.Phase == Succeeded || w.Phase == Failed || w.Phase == Error
}

// Submit is what to submit: a workflow named Name from WorkflowTemplate Template (or from
// ClusterWorkflowTemplate Template when Cluster is set).
type Submit struct {
	Template   string
	Cluster    bool
	Name       string
	Parameters []string // KEY=value
	Labels     string   // k=v,k2=v2
}

// StatusError is a non-2xx answer of the Argo Server.
type StatusError struct {
	Method, Path string
	Code         int
	Message      string
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("argo workflows %s %s: %d %s %s", e.Method, e.Path, e.Code, http.StatusText(e.Code), e.Message)
}

// IsStatus reports whether err is an answer of the server with HTTP status code.
func IsStatus(err error, code int) bool {
	var se *StatusError
	return errors.As(err, &se) && se.Code == code
}

// Transient reports whether err may go away by itself: the server was not reached, or
// answered 5xx or 429. Other answers (a missing template, a refused token) will not.
func Transient(err error) bool {
	var se *StatusError
	if !errors.As(err, &se) {
		return err != nil
	}
	return se.Code >= 500 || se.Code == http.StatusTooManyRequests
}

// TLS is how the client trusts the server.
type TLS = endpoint.TLS

// Client calls one Argo Server's REST API in one namespace with a bearer token.
type Client struct {
	base      string
	namespace string
	token     string
	http      *http.Client
}

// NewClient returns a client for the server at baseURL, working in namespace.
func NewClient(baseURL, namespace, token string, t TLS) (*Client, error) {
	if !endpoint.ValidURL(baseURL) {
		return nil, fmt.Errorf("argo workflows URL %q: want https://host", baseURL)
	}
	c := &Client{base: strings.TrimRight(baseURL, "/"), namespace: namespace, token: token}
	hc, err := endpoint.Client(t)
	if err != nil {
		return nil, err
	}
	c.http = hc
	return c, nil
}

func (c *Client) path(parts ...string) string {
	p := "/api/v1/workflows/" + url.PathEscape(c.namespace)
	for _, s := range parts {
		p += "/" + url.PathEscape(s)
	}
	return p
}

// Submit creates a workflow from a WorkflowTemplate
// (POST /api/v1/workflows/{namespace}/submit) and returns its name.
func (c *Client) Submit(ctx context.Context, s Submit) (string, error) {
	opts := map[string]any{"parameters": s.Parameters}
	if s.Name != "" {
		opts["name"] = s.Name
	}
	if s.Labels != "" {
		opts["labels"] = s.Labels
	}
	kind := "WorkflowTemplate"
	if s.Cluster {
		kind = "ClusterWorkflowTemplate"
	}
	in := map[string]any{"namespace": c.namespace, "resourceKind": kind, "resourceName": s.Template, "submitOptions": opts}
	var out wfJSON
	if err := c.do(ctx, http.MethodPost, c.path("submit"), in, &out); err != nil {
		return "", err
	}
	return out.Metadata.Name, nil
}

// wfJSON is the shape of a Workflow that Get reads (pkg/apis/workflow/v1alpha1/workflow_types.go).
type wfJSON struct {
	Metadata struct {
		Name string `json:"name"`
	} `json:"metadata"`
	Spec struct {
		Suspend *bool `json:"suspend"`
	} `json:"spec"`
	Status struct {
		Phase   string     `json:"phase"`
		Message string     `json:"message"`
		Outputs *outputsJS `json:"outputs"`
		Nodes   map[string]struct {
			DisplayName string     `json:"displayName"`
			Type        string     `json:"type"`
			Phase       string     `json:"phase"`
			Outputs     *outputsJS `json:"outputs"`
		} `json:"nodes"`
	} `json:"status"`
}

type outputsJS struct {
	Parameters []struct {
		Name  string  `json:"name"`
		Value *string `json:"value"`
	} `json:"parameters"`
}

func (o *outputsJS) into(m map[string]string) {
	if o == nil {
		return
	}
	for _, p := range o.Parameters {
		if p.Value != nil {
			m[p.Name] = *p.Value
		}
	}
}

// Get reads a workflow (GET /api/v1/workflows/{namespace}/{name}). Output parameters of the
// other nodes are not merged: nodes of the same parameter name would race.
func (c *Client) Get(ctx context.Context, name string) (Workflow, error) {
	var out wfJSON
	if err := c.do(ctx, http.MethodGet, c.path(name), nil, &out); err != nil {
		return Workflow{}, err
	}
	w := Workflow{Name: out.Metadata.Name, Phase: out.Status.Phase, Message: out.Status.Message, Outputs: map[string]string{}}
	if root, ok := out.Status.Nodes[out.Metadata.Name]; ok {
		root.Outputs.into(w.Outputs)
	}
	out.Status.Outputs.into(w.Outputs)
	if w.Done() {
		return w, nil
	}
	w.Suspended = out.Spec.Suspend != nil && *out.Spec.Suspend
	for _, n := range out.Status.Nodes {
		if n.Type == "Suspend" && n.Phase == Running {
			w.Suspended, w.SuspendedAt = true, n.DisplayName
			break
		}
	}
	return w, nil
}

// Resume resumes a suspended workflow: every active Suspend node succeeds and spec.suspend is
// cleared (PUT /api/v1/workflows/{namespace}/{name}/resume).
func (c *Client) Resume(ctx context.Context, name string) error {
	return c.do(ctx, http.MethodPut, c.path(name, "resume"), map[string]string{"name": name, "namespace": c.namespace}, nil)
}

// Terminate stops a workflow at once (PUT /api/v1/workflows/{namespace}/{name}/terminate).
func (c *Client) Terminate(ctx context.Context, name string) error {
	return c.do(ctx, http.MethodPut, c.path(name, "terminate"), map[string]string{"name": name, "namespace": c.namespace}, nil)
}

// Check lists at most one workflow of the namespace (GET /api/v1/workflows/{namespace}), which
// proves the address, the token and its right to read workflows there.
func (c *Client) Check(ctx context.Context) error {
	return c.do(ctx, http.MethodGet, c.path()+"?listOptions.limit=1", nil, nil)
}

// do sends a request and decodes a 2xx JSON answer into out (nil: ignore the body).
func (c *Client) do(ctx context.Context, method, path string, in, out any) error {
	resp, err := c.send(ctx, method, path, in)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return fmt.Errorf("argo workflows: %w", err)
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(data, out)
}

// send sends a request and returns a 2xx answer. Errors name the status and the server's
// message, never the token.
func (c *Client) send(ctx context.Context, method, path string, in any) (*http.Response, error) {
	req, err := endpoint.NewRequest(ctx, method, c.base+path, in)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("argo workflows: %w", err)
	}
	if resp.StatusCode/100 == 2 {
		return resp, nil
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var e struct {
		Message string `json:"message"`
	}
	_ = json.Unmarshal(data, &e)
	return nil, &StatusError{Method: method, Path: strings.SplitN(path, "?", 2)[0], Code: resp.StatusCode, Message: e.Message}
}
