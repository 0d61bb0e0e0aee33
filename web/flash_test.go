package web_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestSavedFormsConfirmOnce proves every edit form, once saved, leads to a page that says so
// in a status message, and that the message is shown once.
func TestSavedFormsConfirmOnce(t *testing.T) {
	s := startModelServer(t)
	seedModel(t, s, "/srv/git/shop.git")
	s.mustPost(t, "/environments", url.Values{"name": {"staging"}, "kind": {"non-production"}})
	s.mustPost(t, "/environments", url.Values{"name": {"prod"}, "kind": {"production"}})
	app := url.Values{"environment": {"dev"}, "product": {"shop"}, "repoURL": {"/srv/git/shop.git"}, "path": {"."}}
	with := func(v url.Values, pairs ...string) url.Values {
		out := url.Values{}
		for k, vs := range v {
			out[k] = vs
		}
		for i := 0; i+1 < len(pairs); i += 2 {
			out.Set(pairs[i], pairs[i+1])
		}
		return out
	}
	workflow := url.Values{"name": {"smoke"}, "timeout": {"10m"}, "steps.0.name": {"soak"}, "steps.0.kind": {"wait"},
		"steps.0.duration": {"2m"}}
	policy := url.Values{"name": {"default"}, "priority": {"0"}, "action": {"commit"}}
	flow := url.Values{"name": {"main"}, "triggerEnvironment": {"dev"}, "timeout": {"60"},
		"steps.0.environment": {"staging"}, "steps.0.dependsOn": {""}}
	tests := []struct {
		name, path string
		form       url.Values
		location   string
		flash      string
	}{
		{"environment", "/environments/dev", url.Values{"name": {"dev"}, "kind": {"non-production"}, "description": {"first"}},
			"/environments/dev", "Saved environment dev"},
		{"product", "/products/shop", url.Values{"name": {"shop"}, "concurrency": {"queue"}, "queueLimit": {"20"}},
			"/products/shop", "Saved product shop"},
		{"new application", "/applications", with(app, "name", "web"),
			"/applications?product=shop#application-form", "Added application web in dev"},
		{"application", "/applications/dev/web", with(app, "name", "web", "path", "web"),
			"/applications/dev/web", "Saved application web in dev"},
		{"new workflow", "/workflows", workflow, "/workflows/smoke", "Added workflow smoke"},
		{"workflow", "/workflows/smoke", with(workflow, "timeout", "20m"), "/workflows/smoke", "Saved workflow smoke"},
		{"new policy", "/policies", policy, "/policies/default", "Added policy default"},
		{"policy", "/policies/default", with(policy, "priority", "5"), "/policies/default", "Saved policy default"},
		{"new flow", "/flows", flow, "/flows/main", "Added flow main"},
		{"flow", "/flows/main", with(flow, "timeout", "90"), "/flows/main", "Saved flow main"},
		{"git credential", "/settings/git-credentials", url.Values{"name": {"github"}, "urlPrefix": {"https://git.example.com/"},
			"kind": {"https"}, "username": {"bot"}, "token": {"t0ken"}}, "/settings/git-credentials", "Saved Git credential github"},
		{"freeze", "/environments/prod/freeze", url.Values{"reason": {"holiday"}}, "/environments/prod", "Froze environment prod"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := s.send(t, http.MethodPost, tt.path, tt.form, nil)
			if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != tt.location {
				t.Fatalf("POST %s: got %d to %q, want 303 to %q", tt.path, resp.StatusCode, resp.Header.Get("Location"), tt.location)
			}
			flash := cookieNamed(resp.Cookies(), "ladder_flash")
			if flash == nil {
				t.Fatalf("POST %s: got no confirmation cookie", tt.path)
			}
			page := s.send(t, http.MethodGet, tt.location, nil, flash)
			body := readBody(t, page)
			if got, ok := byTestID(body, "flash"); !ok || got != tt.flash {
				t.Errorf("GET %s: flash %q (found %v), want %q", tt.location, got, ok, tt.flash)
			}
			if !strings.Contains(body, `role="status" data-testid="flash"`) {
				t.Errorf("GET %s: the confirmation is not a status message", tt.location)
			}
			if c := cookieNamed(page.Cookies(), "ladder_flash"); c == nil || c.MaxAge >= 0 {
				t.Errorf("GET %s: got cookie %v, want the confirmation cleared", tt.location, c)
			}
			if _, ok := byTestID(readBody(t, s.send(t, http.MethodGet, tt.location, nil, nil)), "flash"); ok {
				t.Errorf("GET %s again: the confirmation is shown twice", tt.location)
			}
		})
	}
	t.Run("timeouts in one unit style", func(t *testing.T) {
		for _, c := range []struct{ path, id, want string }{
			{"/workflows", "workflow-timeout-smoke", "20 min"},
			{"/flows", "flow-timeout-main", "1.5 h"},
		} {
			if got, _ := byTestID(readBody(t, s.send(t, http.MethodGet, c.path, nil, nil)), c.id); got != c.want {
				t.Errorf("GET %s: %s reads %q, want %q", c.path, c.id, got, c.want)
			}
		}
	})
	t.Run("htmx", func(t *testing.T) {
		resp := s.send(t, http.MethodPost, "/environments/dev", url.Values{"name": {"dev"}, "kind": {"non-production"}},
			nil, "HX-Request", "true")
		if resp.StatusCode != http.StatusNoContent || resp.Header.Get("HX-Redirect") != "/environments/dev" ||
			cookieNamed(resp.Cookies(), "ladder_flash") == nil {
			t.Errorf("htmx save: got %d to %q with cookies %v, want 204, HX-Redirect and the confirmation",
				resp.StatusCode, resp.Header.Get("HX-Redirect"), resp.Cookies())
		}
	})
	t.Run("fragments leave it for the page", func(t *testing.T) {
		c := &http.Cookie{Name: "ladder_flash", Value: url.QueryEscape("Saved product shop")}
		resp := s.send(t, http.MethodGet, "/products/shop/preview?app=dev/api", nil, c, "HX-Request", "true")
		readBody(t, resp)
		if cookieNamed(resp.Cookies(), "ladder_flash") != nil {
			t.Errorf("htmx fragment: got the confirmation cleared, want it kept for the page")
		}
	})
}

// send makes a request as the admin, with extra cookie and header pairs, and returns the answer
// unread.
func (s *modelServer) send(t *testing.T, method, path string, form url.Values, extra *http.Cookie, header ...string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, s.url+path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", s.url)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	req.AddCookie(s.cookie)
	if extra != nil {
		req.AddCookie(extra)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func readBody(t *testing.T, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func cookieNamed(cookies []*http.Cookie, name string) *http.Cookie {
	for _, c := range cookies {
		if c.Name == name {
			return c
		}
	}
	return nil
}
