package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"ladder/db"
	"ladder/internal/fault"
	"ladder/internal/model"
)

// apiPrefix is where the JSON API lives.
const apiPrefix = "/api/v1"

// apiError is the body of every API error: a sentence, the field errors of invalid input,
// and for a model file that cannot be applied, every problem by document.
type apiError struct {
	Error    string            `json:"error"`
	Fields   map[string]string `json:"fields,omitempty"`
	Problems []model.Problem   `json:"problems,omitempty"`
}

// badRequest is a request the API cannot read (malformed JSON, a wrong content type); it is
// answered with 400.
type badRequest struct{ msg string }

func (e badRequest) Error() string { return e.msg }

// isAPI reports whether r is a call of the JSON API, whose answers (errors included) are JSON.
func isAPI(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/api/") }

// answerAPIError writes err as a JSON error body with the status it maps to.
func answerAPIError(log *slog.Logger, w http.ResponseWriter, r *http.Request, err error) {
	status, body := http.StatusInternalServerError, apiError{Error: "something went wrong on our side; it has been logged"}
	var bad badRequest
	var invalid *model.Invalid
	tl, isTooLarge := asTooLarge(err)
	switch fe, isFields := fault.Fields(err); {
	case isTooLarge:
		status, body.Error = http.StatusRequestEntityTooLarge, tl.Error()
	case errors.As(err, &bad):
		status, body.Error = http.StatusBadRequest, bad.msg
	case isFields:
		status, body = http.StatusUnprocessableEntity, apiError{Error: fe.Error(), Fields: fe}
	case errors.As(err, &invalid):
		status, body = http.StatusUnprocessableEntity, apiError{Error: "the model was not applied", Problems: invalid.Problems}
	case errors.Is(err, fault.ErrNotFound):
		status, body.Error = http.StatusNotFound, err.Error()
	case errors.Is(err, fault.ErrForbidden):
		status, body.Error = http.StatusForbidden, "you are not allowed to do this"
		if rf, ok := errors.AsType[*fault.Refusal](err); ok {
			body.Error += ": " + rf.Reason
		}
	case errors.Is(err, fault.ErrConflict):
		status, body.Error = http.StatusConflict, err.Error()
	case errors.Is(err, fault.ErrUnauthenticated):
		status, body.Error = http.StatusUnauthorized, "please sign in or send a bearer token"
	case isGitFailure(err):
		status, body.Error = http.StatusBadGateway, err.Error()
	case db.DiskFull(err):
		status, body.Error = http.StatusInsufficientStorage, db.ErrDiskFull.Error()
		log.ErrorContext(r.Context(), "request failed: disk full", "method", r.Method, "path", r.URL.Path, "err", err)
	default:
		log.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="ladder"`)
	}
	if werr := writeJSON(w, status, body); werr != nil {
		log.ErrorContext(r.Context(), "write API error", "err", werr)
	}
}

// writeJSON encodes v first, so an encoding error never sends half a body.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, err = w.Write(append(b, '\n'))
	return err
}

// readJSON decodes r's body into v, refusing unknown fields and trailing data.
func readJSON(r *http.Request, v any) error {
	dec := json.NewDecoder(r.Body) // bounded by limitBody
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if tl, ok := asTooLarge(err); ok {
			return tl
		}
		if errors.Is(err, io.EOF) {
			return badRequest{"the request needs a JSON body"}
		}
		return badRequest{"malformed JSON: " + strings.TrimPrefix(err.Error(), "json: ")}
	}
	if dec.More() {
		return badRequest{"malformed JSON: more than one value in the body"}
	}
	return nil
}

// apiRoute is one route of the JSON API, with what its OpenAPI description says of it.
type apiRoute struct {
	method, path string // path below apiPrefix, with {wildcards}
	access       access
	handler      handlerFunc
	summary      string
	request      any // an example value of the JSON body's type; nil for none
	response     any // an example value of the success body's type; nil for none
	status       int // the success status
	query        []string
}

// pattern is the ServeMux pattern of the route.
func (a apiRoute) pattern() string { return a.method + " " + apiPrefix + a.path }

// apiAsRoutes turns the API table into routes of the routing table.
func apiAsRoutes(log *slog.Logger, table []apiRoute) []route {
	out := make([]route, 0, len(table))
	for _, a := range table {
		out = append(out, route{a.pattern(), a.access, errorHandler(log, a.handler)})
	}
	return out
}

// fieldError is invalid input in one field that the handler, not a service, noticed.
func fieldError(field, format string, args ...any) error {
	return fault.FieldErrors{field: fmt.Sprintf(format, args...)}
}
