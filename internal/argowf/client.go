// Package argowf talks to Argo Workflows: the servers Ladder knows (with their tokens sealed at
// rest) and a small client for the Argo Server REST API calls the argo workflow step needs —
// submit a workflow from a WorkflowTemplate, read it, read its logs, and terminate it.
package argowf

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
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
	Outputs map[string]string // output parameters of the workflow and of its nodes
}

// Done reports whether the workflow ended.
func (w Workflow) Done() bool {
	return w.Phase == Succeeded || w.Phase == Failed || w.Phase == Error
}

// Submit is what to submit: a workflow named Name from WorkflowTemplate Template.
type Submit struct {
	Template   string
	Name       string
	Parameters []string // KEY=value
	Labels     string   // k=v,k2=v2
}

// LogLine is one line of a workflow's log.
type LogLine struct {
	Pod     string
	Content string
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
	in := map[string]any{"namespace": c.namespace, "resourceKind": "WorkflowTemplate", "resourceName": s.Template, "submitOptions": opts}
	var out wfJSON
	if err := c.do(ctx, http.MethodPost, c.path("submit"), in, &out); err != nil {
		return "", err
	}
	return out.Metadata.Name, nil
}

// wfJSON is the shape of a Workflow that Get reads.
type wfJSON struct {
	Metadata struct {
		Name string `json:"name"`
	} `json:"metadata"`
	Status struct {
		Phase   string     `json:"phase"`
		Message string     `json:"message"`
		Outputs *outputsJS `json:"outputs"`
		Nodes   map[string]struct {
			Outputs *outputsJS `json:"outputs"`
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

// Get reads a workflow (GET /api/v1/workflows/{namespace}/{name}). Outputs hold the output
// parameters of its nodes, overridden by the workflow's own (global) outputs.
func (c *Client) Get(ctx context.Context, name string) (Workflow, error) {
	var out wfJSON
	if err := c.do(ctx, http.MethodGet, c.path(name), nil, &out); err != nil {
		return Workflow{}, err
	}
	w := Workflow{Name: out.Metadata.Name, Phase: out.Status.Phase, Message: out.Status.Message, Outputs: map[string]string{}}
	ids := make([]string, 0, len(out.Status.Nodes))
	for id := range out.Status.Nodes {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		out.Status.Nodes[id].Outputs.into(w.Outputs)
	}
	out.Status.Outputs.into(w.Outputs)
	return w, nil
}

// Logs reads the whole log of a workflow's main containers so far
// (GET /api/v1/workflows/{namespace}/{name}/log, newline-delimited JSON).
func (c *Client) Logs(ctx context.Context, name string) ([]LogLine, error) {
	resp, err := c.send(ctx, http.MethodGet, c.path(name, "log")+"?logOptions.container=main&logOptions.follow=false", nil)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var lines []LogLine
	sc := bufio.NewScanner(io.LimitReader(resp.Body, 16<<20))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		var entry struct {
			Result struct {
				Content string `json:"content"`
				PodName string `json:"podName"`
			} `json:"result"`
		}
		if json.Unmarshal(sc.Bytes(), &entry) != nil || entry.Result.PodName == "" && entry.Result.Content == "" {
			continue
		}
		lines = append(lines, LogLine{Pod: entry.Result.PodName, Content: entry.Result.Content})
	}
	return lines, sc.Err()
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
