package runner

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/theory/jsonpath"

	"ladder/internal/release"
	"ladder/internal/workflow"
)

// httpTimeout bounds one request of an HTTP step.
const httpTimeout = 30 * time.Second

// httpStep sends one request per call and checks the answer. A failed check is tried again
// after the interval until the retries run out ("wait until healthy"); between attempts the
// step waits as its job being due again, holding no worker.
type httpStep struct{ spec *workflow.HTTPStep }

func (h httpStep) run(ctx context.Context, c *stepCall) stepResult {
	tries := c.row.Tries + 1
	total := int64(h.spec.Retries) + 1
	req, err := h.request(ctx, c.params, c.secrets(ctx))
	if err != nil {
		return failed("%v", err)
	}
	problem := h.check(c, req)
	if problem == "" {
		return stepResult{status: release.Succeeded, tries: tries}
	}
	c.log.Printf("attempt %d of %d: %s", tries, total, problem)
	if tries >= total || ctx.Err() != nil {
		return stepResult{status: release.Failed, err: fmt.Sprintf("%s %s: %s (attempt %d of %d)", req.Method, req.URL.Redacted(), problem, tries, total), tries: tries}
	}
	res := waiting(c.r.now().Add(h.spec.RetryInterval()),
		fmt.Sprintf("health check %s %s attempt %d of %d: %s; next try in %s", req.Method, req.URL.Redacted(), tries, total, problem, h.spec.RetryInterval()))
	res.tries = tries
	return res
}

// request builds the request from the step's templates; header values and the body may use
// workflow secrets.
func (h httpStep) request(ctx context.Context, p params, secrets *stepSecrets) (*http.Request, error) {
	url, err := p.render("url", h.spec.URL)
	if err != nil {
		return nil, err
	}
	body, err := p.renderSecret("body", h.spec.Body, secrets)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, h.spec.Method, strings.TrimSpace(url), strings.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("build the request: %w", err)
	}
	for _, hd := range h.spec.Headers {
		v, err := p.renderSecret("header "+hd.Name, hd.Value, secrets)
		if err != nil {
			return nil, err
		}
		req.Header.Set(hd.Name, v)
	}
	return req, nil
}

// check sends req and returns what is wrong with the answer, "" when it passes.
func (h httpStep) check(c *stepCall, req *http.Request) string {
	ctx, cancel := context.WithTimeout(req.Context(), httpTimeout)
	defer cancel()
	resp, err := http.DefaultClient.Do(req.WithContext(ctx))
	if err != nil {
		return "request failed: " + err.Error()
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	c.log.Printf("%s %s → %s (%d bytes)", req.Method, req.URL.Redacted(), resp.Status, len(body))
	switch {
	case !h.spec.Accepts(resp.StatusCode):
		return fmt.Sprintf("got %d, want %s", resp.StatusCode, h.spec.ExpectStatus)
	case h.spec.BodyContains != "" && !bytes.Contains(body, []byte(h.spec.BodyContains)):
		return fmt.Sprintf("the body does not contain %q", h.spec.BodyContains)
	case h.spec.JSONPath != "":
		return h.checkJSON(body)
	}
	return ""
}

func (h httpStep) checkJSON(body []byte) string {
	var doc any
	if err := json.Unmarshal(body, &doc); err != nil {
		return "the body is not JSON: " + err.Error()
	}
	path, err := jsonpath.Parse(h.spec.JSONPath)
	if err != nil {
		return "bad JSONPath: " + err.Error()
	}
	found := path.Select(doc)
	if len(found) == 0 {
		return h.spec.JSONPath + " matches nothing"
	}
	if h.spec.JSONValue == "" {
		return ""
	}
	var got []string
	for _, v := range found {
		s, ok := v.(string)
		if !ok {
			b, _ := json.Marshal(v)
			s = string(b)
		}
		if s == h.spec.JSONValue {
			return ""
		}
		got = append(got, s)
	}
	return fmt.Sprintf("%s is %s, want %s", h.spec.JSONPath, strings.Join(got, ", "), h.spec.JSONValue)
}
