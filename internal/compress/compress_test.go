package compress

import (
	"net/http"
	"testing"
)

func TestAccepts(t *testing.T) {
	for header, want := range map[string]bool{
		"":                         false,
		"identity":                 false,
		"gzip":                     true,
		"gzip, deflate, br, zstd":  true,
		"br;q=1.0, gzip;q=0.8":     true,
		"gzip;q=0":                 false,
		"gzip; q=0.0, identity":    false,
		"*":                        true,
		"deflate, *;q=0":           false,
		"x-gzip-not-really, gzip2": false,
	} {
		r, _ := http.NewRequest(http.MethodGet, "/", nil)
		if header != "" {
			r.Header.Set("Accept-Encoding", header)
		}
		if got := Accepts(r); got != want {
			t.Errorf("Accept-Encoding %q: got %v, want %v", header, got, want)
		}
	}
}
