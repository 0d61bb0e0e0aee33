package web

import (
	"net/http"
	"strconv"
	"sync"

	"ladder/internal/compress"
)

// sendHTML writes page with status, gzip-compressed when the browser accepts it and the page
// is big enough. compressed returns the page compressed; the render cache keeps what it
// returns, so that a page many view is compressed once per rendering.
func sendHTML(w http.ResponseWriter, r *http.Request, status int, page []byte, compressed func() []byte) error {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	if len(page) >= compress.From {
		h.Add("Vary", "Accept-Encoding")
		if compress.Accepts(r) {
			page = compressed()
			h.Set("Content-Encoding", "gzip")
		}
	}
	h.Set("Content-Length", strconv.Itoa(len(page))) // sent as it is, not in chunks
	w.WriteHeader(status)
	_, err := w.Write(page)
	return err
}

// packed is a page's compressed form, made the first time a browser asks for it and shared
// by every copy of the rendering.
type packed struct {
	once sync.Once
	body []byte
}

// of returns page compressed, compressing it on the first call.
func (p *packed) of(page []byte) []byte {
	p.once.Do(func() { p.body = compress.Bytes(page) })
	return p.body
}
