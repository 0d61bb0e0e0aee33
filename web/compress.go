package web

import (
	"net/http"
	"strconv"

	"ladder/internal/compress"
)

// htmlType is the Content-Type of every page, shared by their answers.
var htmlType = []string{"text/html; charset=utf-8"}

// sendHTML writes page with status, gzip-compressed when the browser accepts it and the page
// is big enough. compressed returns the page compressed; the render cache keeps what it
// returns, so that a page many view is compressed once per rendering.
func sendHTML(w http.ResponseWriter, r *http.Request, status int, page []byte, compressed func() []byte) error {
	h := w.Header()
	h["Content-Type"] = htmlType
	// No Vary: it tells a cache which stored answer fits which request, and no cache stores
	// these (securityHeaders makes every answer but a static file no-store). One header fewer
	// also keeps the answer's header map small: Go's maps grow into a table from the ninth key.
	if len(page) >= compress.From && compress.Accepts(r) {
		page = compressed()
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("Content-Length", strconv.Itoa(len(page))) // sent as it is, not in chunks
	w.WriteHeader(status)
	_, err := w.Write(page)
	return err
}
