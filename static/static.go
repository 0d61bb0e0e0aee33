// Package static embeds Ladder's stylesheet, scripts and images and serves them under
// fingerprinted URLs, so browsers may cache them for a year and still see every change.
package static

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"strings"
	"time"

	"ladder/internal/compress"
)

//go:embed css js vendor/*.js img
var files embed.FS

// sums are the files' fingerprints; packed their gzip-compressed forms, made when a browser
// first asks, for the files of compress.From bytes or more.
var sums, packed = digest()

func digest() (sums map[string]string, packed map[string]*compress.Lazy) {
	sums, packed = map[string]string{}, map[string]*compress.Lazy{}
	_ = fs.WalkDir(files, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := files.ReadFile(path)
		if err != nil {
			return err
		}
		h := sha256.Sum256(b)
		sums[path] = hex.EncodeToString(h[:6])
		if len(b) >= compress.From {
			packed[path] = &compress.Lazy{}
		}
		return nil
	})
	return sums, packed
}

// URL returns the fingerprinted URL of the embedded file at path (e.g. "css/ladder.css").
// It panics on an unknown path: a template naming a missing asset is a build mistake.
func URL(path string) string {
	sum, ok := sums[path]
	if !ok {
		panic("static: no embedded file " + path)
	}
	return "/static/" + path + "?v=" + sum
}

// Handler serves the embedded files under /static/, gzip-compressed to browsers that accept
// it. A request that carries the current fingerprint may be cached forever; anything else must
// be revalidated.
func Handler() http.Handler {
	fileServer := http.StripPrefix("/static/", http.FileServerFS(files))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path := strings.TrimPrefix(r.URL.Path, "/static/")
		if v := r.URL.Query().Get("v"); v != "" && v == sums[path] {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			w.Header().Set("Cache-Control", "no-cache")
		}
		if lazy, ok := packed[path]; ok {
			w.Header().Add("Vary", "Accept-Encoding")
			if compress.Accepts(r) {
				b, _ := files.ReadFile(path) // listed by digest, so embedded
				w.Header().Set("Content-Encoding", "gzip")
				http.ServeContent(w, r, path, time.Time{}, bytes.NewReader(lazy.Of(b)))
				return
			}
		}
		fileServer.ServeHTTP(w, r)
	})
}
