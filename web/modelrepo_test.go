package web_test

import (
	"net/http"
	"net/url"
	"testing"
)

// TestModelRepositoryFormShowsItsErrorsByTheField: a setting without a URL, or naming a Git
// credential that does not exist, is answered 422 with the form and the error next to its
// field; nothing is stored.
func TestModelRepositoryFormShowsItsErrorsByTheField(t *testing.T) {
	srv := startTestServer(t)
	admin := caller{name: "admin", cookie: srv.adminSession(t), role: "admin"}
	for _, c := range []struct {
		values url.Values
		field  string
	}{
		{url.Values{"url": {""}}, "error-url"},
		{url.Values{"url": {"https://git.example.com/model.git"}, "credential": {"nope"}}, "error-credential"},
	} {
		resp, body := admin.post(t, srv.URL+"/settings/model-repository", "application/x-www-form-urlencoded", c.values.Encode(), false)
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%v: got %d, want 422", c.values, resp.StatusCode)
		}
		if msg, ok := byTestID(body, c.field); !ok || msg == "" {
			t.Errorf("%v: got no %s in\n%s", c.values, c.field, body)
		}
	}
	page := admin.page(t, srv.URL+"/settings/model-repository")
	if _, ok := byTestID(page, "model-repo-unset"); !ok {
		t.Errorf("a refused setting was stored:\n%s", page)
	}
}
