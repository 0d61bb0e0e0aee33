package web_test

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"syscall"
	"testing"
)

// post sends body to target as c with contentType; chunked hides the length, so the server
// finds out the size only by reading.
func (c caller) post(t *testing.T, target, contentType string, body string, chunked bool) (*http.Response, string) {
	t.Helper()
	resp, b, err := c.tryPost(target, contentType, body, chunked)
	if err != nil {
		t.Fatalf("POST %s: %v", target, err)
	}
	return resp, b
}

func (c caller) tryPost(target, contentType string, body string, chunked bool) (*http.Response, string, error) {
	var r io.Reader = strings.NewReader(body)
	if chunked {
		r = io.MultiReader(r) // not a known-length reader: sent chunked
	}
	req, err := http.NewRequest(http.MethodPost, target, r)
	if err != nil {
		return nil, "", err
	}
	req.Header.Set("Content-Type", contentType)
	if c.cookie != nil {
		req.AddCookie(c.cookie)
	}
	if c.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+c.bearer)
	}
	resp, err := noRedirects.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b), nil
}

// postOversized posts a body the server refuses before reading it whole. The server answers
// 413 and closes the connection a moment later (net/http waits 500 ms for the client to read
// the answer); a client still writing the body on a loaded machine may see the reset first.
// Such a try is made again, up to three times in all: the answer must still be 413.
func (c caller) postOversized(t *testing.T, target, contentType string, body string, chunked bool) (*http.Response, string) {
	t.Helper()
	for try := 1; ; try++ {
		resp, b, err := c.tryPost(target, contentType, body, chunked)
		if err == nil {
			return resp, b
		}
		if try == 3 || !errors.Is(err, syscall.ECONNRESET) && !errors.Is(err, syscall.EPIPE) {
			t.Fatalf("POST %s (try %d): %v", target, try, err)
		}
	}
}

const formType = "application/x-www-form-urlencoded"

func TestOversizedBodiesAre413AndChangeNothing(t *testing.T) {
	srv := startTestServer(t)
	admin := caller{name: "admin", cookie: srv.adminSession(t)}
	big := url.Values{"name": {"big-env"}, "description": {strings.Repeat("x", 2<<20)}}.Encode()
	// A model whose first document fits in the limit and whose second does not: read up to the
	// limit, it used to apply the first one.
	model := "apiVersion: ladder/v1\nkind: Environment\nmetadata: {name: cut-env}\nspec: {kind: non-production}\n" +
		strings.Repeat("# padding\n", 500_000) +
		"---\napiVersion: ladder/v1\nkind: Environment\nmetadata: {name: cut-env-2}\nspec: {kind: non-production}\n"
	tests := []struct {
		name, path, contentType, body string
		chunked                       bool
	}{
		{"form with a length", "/environments", formType, big, false},
		{"form without a length", "/environments", formType, big, true},
		{"form over 10 MB", "/environments", formType, big + strings.Repeat("x", 10<<20), false},
		{"model over its limit", "/api/v1/model", "application/yaml", model, false},
		{"model over its limit, no length", "/api/v1/model", "application/yaml", model, true},
		{"JSON over the limit", "/api/v1/environments", "application/json", `{"name":"big-env","description":"` + strings.Repeat("x", 2<<20) + `"}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := admin.postOversized(t, srv.URL+tt.path, tt.contentType, tt.body, tt.chunked)
			if resp.StatusCode != http.StatusRequestEntityTooLarge {
				t.Errorf("got %d (%.200s), want 413", resp.StatusCode, body)
			}
		})
	}
	for _, path := range []string{"/environments/big-env", "/environments/cut-env", "/environments/cut-env-2"} {
		if resp := admin.do(t, http.MethodGet, srv.URL+path, nil); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s after refused bodies: got %d, want 404 (nothing stored)", path, resp.StatusCode)
		}
	}
}

// TestLoginFloodKeepsMemory sends 40 oversized sign-in requests (9 MB names, which the server
// used to read whole and keep as rate-limiter keys) and 40 with names just under the form
// limit; the server's heap may grow by less than 20 MB.
func TestLoginFloodKeepsMemory(t *testing.T) {
	srv := startTestServer(t)
	anon := caller{name: "anonymous"}
	before := heapInUse()
	for i := range 40 {
		name := strings.Repeat(string(rune('a'+i%26)), 9<<20)
		resp, _ := anon.postOversized(t, srv.URL+"/login", formType, url.Values{"name": {name}, "password": {"x"}}.Encode(), false)
		if resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Fatalf("9 MB sign-in: got %d, want 413", resp.StatusCode)
		}
	}
	for i := range 40 {
		name := strings.Repeat(string(rune('a'+i%26)), 900<<10) + string(rune('a'+i))
		resp, body := anon.post(t, srv.URL+"/login", formType, url.Values{"name": {name}, "password": {"x"}}.Encode(), false)
		if resp.StatusCode != http.StatusUnauthorized && resp.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("900 KB name: got %d, want 401 or 429", resp.StatusCode)
		}
		if len(body) > 64<<10 {
			t.Fatalf("the sign-in page is %d bytes: the name was echoed", len(body))
		}
	}
	if grown := heapInUse() - before; grown > 20<<20 {
		t.Errorf("the heap grew by %d MB over 80 sign-in attempts, want under 20 MB", grown>>20)
	}
}

func heapInUse() int64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapInuse)
}

func TestFailedSignInNeverEchoesTheName(t *testing.T) {
	srv := startTestServer(t)
	const name = "<b>someone-else-typed-this</b>"
	_, body := caller{name: "anonymous"}.post(t, srv.URL+"/login", formType, url.Values{"name": {name}, "password": {"x"}}.Encode(), false)
	if strings.Contains(body, "someone-else-typed-this") {
		t.Errorf("the 401 page shows the name that was sent")
	}
}
