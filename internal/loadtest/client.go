package loadtest

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Client talks to a Ladder server over HTTP with an API token.
type Client struct {
	Base  string
	Token string
	HTTP  *http.Client // nil: a client with a 10 s timeout
}

// StartRelease runs the flow for product and returns the new release's ID.
func (c *Client) StartRelease(ctx context.Context, product, flowName string) (string, error) {
	return c.StartReleaseAt(ctx, product, flowName, "")
}

// StartReleaseAt runs the flow for product from the trigger commit sha ("" is the head) and
// returns the new release's ID.
func (c *Client) StartReleaseAt(ctx context.Context, product, flowName, sha string) (string, error) {
	form := url.Values{"mode": {"flow"}, "product": {product}, "flow": {flowName}, "commit": {sha}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.Base+"/releases", strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	id, ok := strings.CutPrefix(resp.Header.Get("Location"), "/releases/")
	if resp.StatusCode != http.StatusSeeOther || !ok || id == "" {
		return "", fmt.Errorf("start release of %s: got %d %q, want 303 to /releases/<id>", product, resp.StatusCode, body)
	}
	return id, nil
}

// Get fetches path and returns the status code and the body's length.
func (c *Client) Get(ctx context.Context, path string) (int, int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.Base+path, nil)
	if err != nil {
		return 0, 0, err
	}
	resp, err := c.do(req)
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	n, err := io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, int(n), err
}

func (c *Client) do(req *http.Request) (*http.Response, error) {
	req.Header.Set("Authorization", "Bearer "+c.Token)
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 10 * time.Second}
	}
	noFollow := *hc
	noFollow.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return noFollow.Do(req)
}

// Post sends an empty form to path and expects a 2xx answer or a redirect.
func (c *Client) Post(ctx context.Context, path string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.Base+path, strings.NewReader(""))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode >= 400 {
		return fmt.Errorf("POST %s: got %d %q", path, resp.StatusCode, body)
	}
	return nil
}
