// Package compress decides whether an answer may be gzip-compressed and compresses it.
package compress

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// From is the smallest body worth compressing: below it gzip's header and the work cost more
// than the bytes saved.
const From = 1024

// Accepts reports whether r's Accept-Encoding names gzip (or any coding) without refusing it
// with q=0.
func Accepts(r *http.Request) bool {
	for _, header := range r.Header.Values("Accept-Encoding") {
		for coding := range strings.SplitSeq(header, ",") {
			name, params, _ := strings.Cut(coding, ";")
			name = strings.TrimSpace(name)
			if name != "gzip" && name != "*" {
				continue
			}
			q, found := strings.CutPrefix(strings.ReplaceAll(params, " ", ""), "q=")
			if !found {
				return true
			}
			v, err := strconv.ParseFloat(q, 64)
			return err != nil || v != 0
		}
	}
	return false
}

// level is gzip's compression level. Measured on the dashboard of 50 products (75 KB), level 2
// compresses it 2.6 times as fast as the default level 6 (0.58 against 1.51 ms), into 12 %
// more bytes (8.1 against 7.2 KB): a page is compressed once per rendering, and a browser
// that views a page rendered for it waits for that.
const level = 2

// writers keeps compressors between bodies: each holds about 800 KB of tables.
var writers = sync.Pool{New: func() any {
	zw, err := gzip.NewWriterLevel(nil, level)
	if err != nil {
		panic(err) // level is a constant within gzip's range
	}
	return zw
}}

// Bytes returns b compressed with gzip.
func Bytes(b []byte) []byte {
	var out bytes.Buffer
	out.Grow(len(b) / 4)
	zw := writers.Get().(*gzip.Writer)
	zw.Reset(&out)
	_, _ = zw.Write(b) // writes to a bytes.Buffer do not fail
	_ = zw.Close()
	writers.Put(zw)
	return out.Bytes()
}

// Lazy is a body's compressed form, made the first time it is asked for; its zero value is
// ready to use and it is safe for concurrent use.
type Lazy struct {
	once sync.Once
	body []byte
}

// Of returns body compressed, compressing it on the first call only.
func (l *Lazy) Of(body []byte) []byte {
	l.once.Do(func() { l.body = Bytes(body) })
	return l.body
}
