package web_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"ladder/internal/loadtest"
)

// BenchmarkCachedPage is what serving a page from the render cache costs beyond writing its
// bytes: the releases list, signed in, next to a bare handler that writes the same bytes,
// both over loopback through one keep-alive client (whose cost both include), uncompressed.
// Besides the time, it reports the process's CPU time per request (cpu-ns/op), which another
// guest taking the machine's cores changes less.
func BenchmarkCachedPage(b *testing.B) {
	srv := startTestServer(b)
	cookie := srv.adminSession(b)
	get := func(b *testing.B, url string, cookie *http.Cookie) []byte {
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		req.Header.Set("Accept-Encoding", "identity") // the bytes as they are, from both
		if cookie != nil {
			req.AddCookie(cookie)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			b.Fatalf("GET %s: %d, %v", url, resp.StatusCode, err)
		}
		return body
	}
	page := get(b, srv.URL+"/releases", cookie)
	bare := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write(page)
	}))
	b.Cleanup(bare.Close)
	b.Run("ladder", func(b *testing.B) {
		b.ReportAllocs()
		cpu0 := loadtest.CPUTime()
		for b.Loop() {
			get(b, srv.URL+"/releases", cookie)
		}
		b.ReportMetric(float64(loadtest.CPUTime()-cpu0)/float64(b.N), "cpu-ns/op")
	})
	b.Run("bare", func(b *testing.B) {
		b.ReportAllocs()
		cpu0 := loadtest.CPUTime()
		for b.Loop() {
			get(b, bare.URL, nil)
		}
		b.ReportMetric(float64(loadtest.CPUTime()-cpu0)/float64(b.N), "cpu-ns/op")
	})
}
