package web_test

import (
	"net/http"
	"strings"
	"testing"

	"ladder/web"
)

// TestBadBodiesToEveryRoute posts oversized, deeply nested and malformed bodies to every route
// that takes one (the HTML routes and the API table alike) as an admin, who may call them all.
// Oversized bodies must be refused with 413; nothing may answer 5xx; and the model must be
// the same afterwards.
func TestBadBodiesToEveryRoute(t *testing.T) {
	srv := startTestServer(t)
	admin := caller{name: "admin", cookie: srv.adminSession(t)}
	// one environment, so the model compared before and after is not empty
	if resp, body := admin.post(t, srv.URL+"/api/v1/environments", "application/json", `{"name":"dev","kind":"non-production"}`, false); resp.StatusCode != http.StatusCreated {
		t.Fatalf("create an environment: got %d %s", resp.StatusCode, body)
	}
	before := admin.page(t, srv.URL+"/api/v1/model")
	nested := strings.Repeat("[", 100_000) + strings.Repeat("]", 100_000)
	bodies := []struct {
		name, contentType, body string
		want                    func(int) bool
	}{
		{"oversized form", formType, "name=x&description=" + strings.Repeat("x", web.MaxModelBody+1), is(413)},
		{"oversized JSON", "application/json", `{"name":"` + strings.Repeat("x", web.MaxModelBody+1) + `"}`, is(413)},
		{"oversized webhook", "application/json", `{"ref":"` + strings.Repeat("x", web.MaxWebhookBody+1) + `"}`, is(413)},
		{"deeply nested JSON", "application/json", nested, below500},
		{"deeply nested YAML", "application/yaml", nested, below500},
		{"deeply nested form", formType, "yaml=" + nested + "&name=" + nested, below500},
		{"malformed JSON", "application/json", `{"name": "x", "steps": [{]`, below500},
		{"malformed form", formType, "name=%zz&&=%&steps.0.kind=%", below500},
		{"binary", "application/octet-stream", "\x00\xff\xfe\x01ladder\x00", below500},
	}
	for _, rt := range web.Routes() {
		method, path := requestFor(rt.Pattern)
		if method == http.MethodGet || sessionEnding[rt.Pattern] {
			continue
		}
		for _, b := range bodies {
			hook := strings.HasPrefix(path, "/hooks/")
			if strings.HasPrefix(b.name, "oversized") && hook != (b.name == "oversized webhook") {
				continue // each route class gets the body just over its own limit
			}
			t.Run(rt.Pattern+" "+b.name, func(t *testing.T) {
				req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(b.body))
				req.Header.Set("Content-Type", b.contentType)
				req.AddCookie(admin.cookie)
				resp, err := noRedirects.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if !b.want(resp.StatusCode) {
					t.Errorf("got %d", resp.StatusCode)
				}
			})
		}
	}
	if after := admin.page(t, srv.URL+"/api/v1/model"); after != before {
		t.Errorf("the model changed:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}

// sessionEnding are routes that end the caller's session whatever the body: they are tested
// in session_test.go.
var sessionEnding = map[string]bool{"POST /logout": true, "POST /account/sessions/end-others": true}

func is(want int) func(int) bool { return func(got int) bool { return got == want } }

func below500(got int) bool { return got < 500 }
