package web

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// compressFrom is the smallest page sent compressed: below it gzip's header and the work
// cost more than the bytes saved.
const compressFrom = 1024

// sendHTML writes page with status, gzip-compressed when the browser accepts it and the page
// is big enough. compressed returns the page compressed; the render cache keeps what it
// returns, so that a page many view is compressed once per rendering.
func sendHTML(w http.ResponseWriter, r *http.Request, status int, page []byte, compressed func() []byte) error {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	if len(page) >= compressFrom {
		h.Add("Vary", "Accept-Encoding")
		if acceptsGzip(r) {
			page = compressed()
			h.Set("Content-Encoding", "gzip")
		}
	}
	h.Set("Content-Length", strconv.Itoa(len(page))) // sent as it is, not in chunks
	w.WriteHeader(status)
	_, err := w.Write(page)
	return err
}

// acceptsGzip reports whether r's Accept-Encoding names gzip (or any coding) without
// refusing it with q=0.
func acceptsGzip(r *http.Request) bool {
	for _, header := range r.Header.Values("Accept-Encoding") {
		for coding := range strings.SplitSeq(header, ",") {
			name, params, _ := strings.Cut(coding, ";")
			name = strings.TrimSpace(name)
			if name != "gzip" && name != "*" {
				continue
			}
			q, found := strings.CutPrefix(strings.ReplaceAll(params, " ", ""), "q=")
			if v, err := strconv.ParseFloat(q, 64); found && err == nil && v == 0 {
				return false
			}
			return true
		}
	}
	return false
}

// gzipWriters keeps compressors between pages: each holds about 800 KB of tables.
var gzipWriters = sync.Pool{New: func() any { return gzip.NewWriter(nil) }}

// gzipBytes returns b compressed with gzip.
func gzipBytes(b []byte) []byte {
	var out bytes.Buffer
	out.Grow(len(b) / 4)
	zw := gzipWriters.Get().(*gzip.Writer)
	zw.Reset(&out)
	_, _ = zw.Write(b) // writes to a bytes.Buffer do not fail
	_ = zw.Close()
	gzipWriters.Put(zw)
	return out.Bytes()
}

// packed is a page's compressed form, made the first time a browser asks for it and shared
// by every copy of the rendering.
type packed struct {
	once sync.Once
	body []byte
}

// of returns page compressed, compressing it on the first call.
func (p *packed) of(page []byte) []byte {
	p.once.Do(func() { p.body = gzipBytes(page) })
	return p.body
}
