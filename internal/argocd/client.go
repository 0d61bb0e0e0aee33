// Package argocd talks to Argo CD: the servers Ladder knows (with their tokens sealed at rest)
// and a small client for the REST API calls verification needs — read an application's sync
// and health, ask for a sync, and check a connection.
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

// Sync and health statuses Argo CD reports.
const (
	Synced      = "Synced"
	OutOfSync   = "OutOfSync"
	Healthy     = "Healthy"
	Progressing = "Progressing"
)

// Application is the part of an Argo CD Application's status that verification reads.
type Application struct {
	Name             string
	SyncStatus       string // Synced, OutOfSync or Unknown
	Revision         string // the commit the sync status was compared at
	Health           string // Healthy, Progressing, Degraded, Suspended, Missing or Unknown
	HealthMessage    string
	OperationPhase   string // the current or last operation: Running, Succeeded, Failed, Error…
	OperationMessage string
}

// Report is what Argo CD says about the application, in the words it uses:
// "Argo CD: OutOfSync, Progressing", with the health message when there is one.
func (a Application) Report() string {
	s := "Argo CD: " + orUnknown(a.SyncStatus) + ", " + orUnknown(a.Health)
	if a.HealthMessage != "" {
		s += " (" + a.HealthMessage + ")"
	}
	if a.OperationPhase == "Failed" || a.OperationPhase == "Error" {
		s += "; last sync " + strings.ToLower(a.OperationPhase)
		if a.OperationMessage != "" {
			s += ": " + a.OperationMessage
		}
	}
	return s
}

func orUnknown(s string) string {
	if s == "" {
		return "Unknown"
	}
	return s
}

// appJSON is the shape of GET /api/v1/applications/{name} that Application reads.
type appJSON struct {
	Metadata struct {
		Name string `json:"name"`
	} `json:"metadata"`
	Status struct {
		Sync struct {
			Status    string   `json:"status"`
			Revision  string   `json:"revision"`
			Revisions []string `json:"revisions"` // multi-source applications
		} `json:"sync"`
		Health struct {
			Status  string `json:"status"`
			Message string `json:"message"`
		} `json:"health"`
		OperationState *struct {
			Phase   string `json:"phase"`
			Message string `json:"message"`
		} `json:"operationState"`
	} `json:"status"`
}

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

// Application reads an application (GET /api/v1/applications/{name}); refresh asks Argo CD to
// compare it with Git first, so a fresh commit is seen without waiting for its own poll.
func (c *Client) Application(ctx context.Context, name string, refresh bool) (Application, error) {
	path := "/api/v1/applications/" + url.PathEscape(name)
	if refresh {
		path += "?refresh=normal"
	}
	var out appJSON
	if err := c.do(ctx, http.MethodGet, path, nil, &out); err != nil {
		return Application{}, err
	}
	a := Application{Name: out.Metadata.Name, SyncStatus: out.Status.Sync.Status, Revision: out.Status.Sync.Revision,
		Health: out.Status.Health.Status, HealthMessage: out.Status.Health.Message}
	if a.Revision == "" && len(out.Status.Sync.Revisions) > 0 {
		a.Revision = out.Status.Sync.Revisions[0]
	}
	if op := out.Status.OperationState; op != nil {
		a.OperationPhase, a.OperationMessage = op.Phase, op.Message
	}
	return a, nil
}

// Sync asks Argo CD to sync an application to its target revision
// (POST /api/v1/applications/{name}/sync).
func (c *Client) Sync(ctx context.Context, name string) error {
	return c.do(ctx, http.MethodPost, "/api/v1/applications/"+url.PathEscape(name)+"/sync",
		map[string]any{"prune": false}, nil)
}

// UserInfo checks the token (GET /api/v1/session/userinfo) and returns the account it signs
// in as.
func (c *Client) UserInfo(ctx context.Context) (string, error) {
	var out struct {
		LoggedIn bool   `json:"loggedIn"`
		Username string `json:"username"`
	}
	if err := c.do(ctx, http.MethodGet, "/api/v1/session/userinfo", nil, &out); err != nil {
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
	err := c.do(ctx, http.MethodGet, "/api/version", nil, &out)
	return out.Version, err
}

// do sends a request and decodes a 2xx JSON answer into out (nil: ignore the body). Errors
// name the status and Argo CD's message, never the token.
func (c *Client) do(ctx context.Context, method, path string, in, out any) error {
	req, err := endpoint.NewRequest(ctx, method, c.base+path, in)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("argo cd: %w", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return fmt.Errorf("argo cd: %w", err)
	}
	if resp.StatusCode/100 != 2 {
		var e struct {
			Message string `json:"message"`
		}
		_ = json.Unmarshal(data, &e)
		return fmt.Errorf("argo cd %s %s: %s %s", method, strings.SplitN(path, "?", 2)[0], resp.Status, e.Message)
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(data, out)
}
