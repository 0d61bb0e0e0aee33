// Package argocd talks to Argo CD: the servers Ladder knows (with their tokens sealed at rest)
// and a small client for the REST API calls verification and discovery need — read and list
// applications, ask for a sync, and check a connection.
package argocd

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

// Client calls one Argo CD server's REST API with a bearer token.
type Client struct {
	base  string
	token string
	http  *http.Client
}

// TLS is how the client trusts the server.
type TLS = endpoint.TLS

// NewClient returns a client for the server at baseURL. With no TLS settings it uses
// http.DefaultTransport's trust.
func NewClient(baseURL, token string, t TLS) (*Client, error) {
	if !endpoint.ValidURL(baseURL) {
		return nil, fmt.Errorf("argo cd URL %q: want https://host", baseURL)
	}
	c := &Client{base: strings.TrimRight(baseURL, "/"), token: token}
	hc, err := endpoint.Client(t)
	if err != nil {
		return nil, err
	}
	c.http = hc
	return c, nil
}

// Application reads an application (GET /api/v1/applications/{name}). ref is "name" or
// "namespace/name"; the namespace goes in appNamespace, as Argo CD wants for applications
// outside its own namespace. refresh asks Argo CD to compare the application with Git first and
// waits for that reconcile: ask it once after a commit, not on every read.
func (c *Client) Application(ctx context.Context, ref string, refresh bool) (Application, error) {
	ns, name := SplitRef(ref)
	q := url.Values{}
	if ns != "" {
		q.Set("appNamespace", ns)
	}
	if refresh {
		q.Set("refresh", "normal")
	}
	var out appJSON
	if err := c.do(ctx, http.MethodGet, "/api/v1/applications/"+url.PathEscape(name), q, nil, &out); err != nil {
		return Application{}, c.explain(err, ref)
	}
	return out.application(), nil
}

// Query selects applications to list: by projects, the namespace they live in (empty: all
// namespaces Argo CD watches) and a label selector ("team=shop,tier!=test").
type Query struct {
	Projects  []string
	Namespace string
	Selector  string
}

// Applications lists applications (GET /api/v1/applications).
func (c *Client) Applications(ctx context.Context, sel Query) ([]Application, error) {
	q := url.Values{}
	for _, p := range sel.Projects {
		q.Add("projects", p)
	}
	if sel.Namespace != "" {
		q.Set("appNamespace", sel.Namespace)
	}
	if sel.Selector != "" {
		q.Set("selector", sel.Selector)
	}
	var out appListJSON
	if err := c.do(ctx, http.MethodGet, "/api/v1/applications", q, nil, &out); err != nil {
		return nil, err
	}
	apps := make([]Application, 0, len(out.Items))
	for _, j := range out.Items {
		apps = append(apps, j.application())
	}
	return apps, nil
}

// Sync asks Argo CD to sync an application to its target revision
// (POST /api/v1/applications/{name}/sync).
func (c *Client) Sync(ctx context.Context, ref string) error {
	ns, name := SplitRef(ref)
	body := map[string]any{"name": name, "prune": false}
	if ns != "" {
		body["appNamespace"] = ns
	}
	return c.explain(c.do(ctx, http.MethodPost, "/api/v1/applications/"+url.PathEscape(name)+"/sync", nil, body, nil), ref)
}

// UserInfo checks the token (GET /api/v1/session/userinfo) and returns the account it signs
// in as.
func (c *Client) UserInfo(ctx context.Context) (string, error) {
	var out struct {
		LoggedIn bool   `json:"loggedIn"`
		Username string `json:"username"`
	}
	if err := c.do(ctx, http.MethodGet, "/api/v1/session/userinfo", nil, nil, &out); err != nil {
		return "", err
	}
	if !out.LoggedIn {
		return "", errors.New("Argo CD does not accept the token (not logged in)")
	}
	return out.Username, nil
}

// Version returns the server's version (GET /api/version).
func (c *Client) Version(ctx context.Context) (string, error) {
	var out struct {
		Version string `json:"Version"`
	}
	err := c.do(ctx, http.MethodGet, "/api/version", nil, nil, &out)
	return out.Version, err
}

// APIError is an answer other than 2xx, with Argo CD's gRPC code and message.
type APIError struct {
	Method, Path string
	Status       int
	Code         int // the gRPC code: 5 not found, 7 permission denied, 9 failed precondition, 16 unauthenticated
	Message      string
	hint         string
}

func (e *APIError) Error() string {
	s := fmt.Sprintf("argo cd %s %s: %d %s %s", e.Method, e.Path, e.Status, http.StatusText(e.Status), e.Message)
	if e.hint != "" {
		s += " (" + e.hint + ")"
	}
	return s
}

// explain adds what a 403 or 404 about application ref most likely means: Argo CD answers
// "permission denied" for an application it does not find without a project, so a bare name in
// another namespace reads like a token problem.
func (c *Client) explain(err error, ref string) error {
	var e *APIError
	if !errors.As(err, &e) {
		return err
	}
	ns, _ := SplitRef(ref)
	switch {
	case e.Status == http.StatusForbidden && ns == "":
		e.hint = "the token may not read " + ref + ", or it does not exist in Argo CD's namespace: for an application in another namespace write namespace/name"
	case e.Status == http.StatusForbidden:
		e.hint = "the token may not read " + ref + ", or it does not exist"
	case e.Status == http.StatusUnauthorized:
		e.hint = "Argo CD does not accept the token"
	}
	return e
}

// do sends a request and decodes a 2xx JSON answer into out (nil: ignore the body). Errors
// name the status and Argo CD's message, never the token.
func (c *Client) do(ctx context.Context, method, path string, q url.Values, in, out any) error {
	target := c.base + path
	if len(q) > 0 {
		target += "?" + q.Encode()
	}
	req, err := endpoint.NewRequest(ctx, method, target, in)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("argo cd: %w", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
	if err != nil {
		return fmt.Errorf("argo cd: %w", err)
	}
	if resp.StatusCode/100 != 2 {
		e := &APIError{Method: method, Path: path, Status: resp.StatusCode}
		var body struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		}
		if json.Unmarshal(data, &body) == nil {
			e.Code, e.Message = body.Code, body.Message
		}
		return e
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(data, out)
}
