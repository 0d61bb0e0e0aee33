package static

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestFilesAreSentCompressed: a browser that accepts gzip gets the stylesheet and the scripts
// compressed, reading back to the embedded bytes, with the same caching; one that does not
// gets them as they are.
func TestFilesAreSentCompressed(t *testing.T) {
	h := Handler()
	for _, path := range []string{"css/ladder.css", "vendor/htmx.min.js", "vendor/sse.js", "js/ladder.js"} {
		want, err := files.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, gz := range []bool{true, false} {
			req := httptest.NewRequest(http.MethodGet, URL(path), nil)
			if gz {
				req.Header.Set("Accept-Encoding", "gzip, deflate, br")
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			body := rec.Body.Bytes()
			if gz {
				if rec.Header().Get("Content-Encoding") != "gzip" {
					t.Fatalf("%s: not compressed for a browser that accepts gzip", path)
				}
				zr, err := gzip.NewReader(bytes.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				if body, err = io.ReadAll(zr); err != nil {
					t.Fatal(err)
				}
				t.Logf("%s: %d bytes sent for %d", path, rec.Body.Len(), len(want))
			} else if rec.Header().Get("Content-Encoding") != "" {
				t.Fatalf("%s: compressed for a client that did not ask", path)
			}
			if rec.Code != 200 || !bytes.Equal(body, want) {
				t.Errorf("%s (gzip %v): got %d, %d bytes; want 200 and the embedded %d bytes", path, gz, rec.Code, len(body), len(want))
			}
			if got := rec.Header().Get("Cache-Control"); got != "public, max-age=31536000, immutable" {
				t.Errorf("%s (gzip %v): Cache-Control %q", path, gz, got)
			}
			if got := rec.Header().Get("Content-Type"); got == "" || got == "application/octet-stream" {
				t.Errorf("%s (gzip %v): Content-Type %q", path, gz, got)
			}
		}
	}
}
