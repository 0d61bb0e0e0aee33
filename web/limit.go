package web

import (
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strings"
)

// Request body limits, by class of route. They are the one place bodies are bounded: a body
// over its limit is answered 413 before any handler runs (or, when its length was not
// announced, as soon as reading passes the limit) and nothing is applied.
const (
	// MaxFormBody bounds a form (and any other request body not listed below).
	MaxFormBody = 1 << 20
	// MaxModelBody bounds a model file applied with POST /api/v1/model or the Import form.
	MaxModelBody = 4 << 20
	// MaxWebhookBody bounds a push webhook's payload (GitHub sends up to 25 MB).
	MaxWebhookBody = 25 << 20
)

// bodyLimit returns the body limit of the route with pattern.
func bodyLimit(pattern string) int64 {
	_, path, _ := strings.Cut(pattern, " ")
	switch {
	case path == apiPrefix+"/model" || path == "/settings/model":
		return MaxModelBody
	case strings.HasPrefix(path, "/hooks/"):
		return MaxWebhookBody
	}
	return MaxFormBody
}

// tooLarge is the error for a request body over its route's limit.
type tooLarge struct{ limit int64 }

func (e tooLarge) Error() string {
	return fmt.Sprintf("the request body is larger than %s, the limit here; nothing was changed", mebibytes(e.limit))
}

func mebibytes(n int64) string { return fmt.Sprintf("%d MiB", n>>20) }

// asTooLarge turns the error of reading past a limited body into tooLarge.
func asTooLarge(err error) (tooLarge, bool) {
	var mb *http.MaxBytesError
	if errors.As(err, &mb) {
		return tooLarge{limit: mb.Limit}, true
	}
	var tl tooLarge
	return tl, errors.As(err, &tl)
}

// limitBody bounds the body of every request to next by limit. Forms are parsed here, so a
// form over the limit is a 413 instead of reading as empty fields, and a form that cannot be
// parsed is a 400.
func limitBody(limit int64, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > limit {
			refuseBody(w, r, tooLarge{limit: limit})
			return
		}
		if r.Body != http.NoBody { // what a request without a body has, on a server
			r.Body = http.MaxBytesReader(w, r.Body, limit)
		}
		if r.Method == http.MethodPost && isForm(r) {
			if err := parseForm(r, limit); err != nil {
				refuseBody(w, r, err)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

func isForm(r *http.Request) bool {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return ct == "application/x-www-form-urlencoded" || ct == "multipart/form-data"
}

func parseForm(r *http.Request, limit int64) error {
	var err error
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
		err = r.ParseMultipartForm(limit)
	} else {
		err = r.ParseForm()
	}
	if tl, ok := asTooLarge(err); ok {
		return tl
	}
	if err != nil {
		return badRequest{"the form could not be read: " + err.Error()}
	}
	return nil
}

// refuseBody answers a body that is too large (413) or unreadable (400), as JSON for the API
// and as a short page otherwise. The connection is closed after a 413: the rest of the body
// is not read.
func refuseBody(w http.ResponseWriter, r *http.Request, err error) {
	status, msg := http.StatusBadRequest, err.Error()
	if tl, ok := asTooLarge(err); ok {
		status, msg = http.StatusRequestEntityTooLarge, tl.Error()
		w.Header().Set("Connection", "close")
	}
	if isAPI(r) {
		_ = writeJSON(w, status, apiError{Error: msg})
		return
	}
	http.Error(w, msg, status)
}
