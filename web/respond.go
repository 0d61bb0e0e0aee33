package web

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/a-h/templ"

	"ladder/db"
	"ladder/internal/compress"
	"ladder/internal/fault"
	"ladder/internal/gitops"
	"ladder/views"
)

// handlerFunc is the shape of every Ladder handler: it writes a response or returns an error
// for errorHandler to answer.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// errorHandler turns a handlerFunc into an http.Handler and answers its errors: sentinel errors
// map to their status with a short page, anything else is logged once and answered with a plain
// 500 that reveals nothing.
func errorHandler(log *slog.Logger, h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := h(w, r)
		if err == nil {
			return
		}
		if errors.Is(err, context.Canceled) && r.Context().Err() != nil {
			return // the browser went away (a live preview replaced by the next); nobody reads an answer
		}
		if isAPI(r) {
			answerAPIError(log, w, r, err)
			return
		}
		status, msg := http.StatusInternalServerError, "Something went wrong on our side. It has been logged."
		tl, isTooLarge := asTooLarge(err)
		switch fe, isFields := fault.Fields(err); {
		case isTooLarge:
			status, msg = http.StatusRequestEntityTooLarge, tl.Error()
		case isFields:
			status, msg = http.StatusUnprocessableEntity, fe.Error()
		case errors.Is(err, fault.ErrNotFound):
			status, msg = http.StatusNotFound, "Not found: "+err.Error()
		case errors.Is(err, fault.ErrForbidden):
			status, msg = http.StatusForbidden, "You are not allowed to do this."
			if rf, ok := errors.AsType[*fault.Refusal](err); ok {
				msg = "You are not allowed to do this: " + rf.Reason + "."
			}
		case errors.Is(err, fault.ErrConflict):
			status, msg = http.StatusConflict, err.Error()
		case errors.Is(err, fault.ErrUnauthenticated):
			status, msg = http.StatusUnauthorized, "Please sign in."
		case isGitFailure(err):
			status, msg = http.StatusBadGateway, err.Error()
		case db.DiskFull(err):
			status, msg = http.StatusInsufficientStorage, db.ErrDiskFull.Error()
			log.ErrorContext(r.Context(), "request failed: disk full", "method", r.Method, "path", r.URL.Path, "err", err)
		default:
			log.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		}
		page := views.ErrorPage(layout(r, http.StatusText(status), ""), status, msg)
		if err := render(w, r, status, page); err != nil {
			log.ErrorContext(r.Context(), "render error page", "err", err)
		}
	})
}

// isGitFailure reports an error of a Git server or repository the request needed (unreachable,
// credential refused, repository or branch missing, host key not trusted): answered 502 with
// its message, which names the application, repository and credential and ends with Git's
// reason (never a secret).
func isGitFailure(err error) bool {
	var ge *gitops.Error
	return errors.As(err, &ge) || errors.Is(err, gitops.ErrBranchNotFound)
}

// render writes c with status. It renders into a buffer first, so a template error never sends
// half a page.
func render(w http.ResponseWriter, r *http.Request, status int, c templ.Component) error {
	var buf bytes.Buffer
	if err := c.Render(r.Context(), &buf); err != nil {
		return err
	}
	page := buf.Bytes()
	return sendHTML(w, r, status, page, func() []byte { return compress.Bytes(page) })
}

// redirect sends the browser to url after a successful POST: HX-Redirect for htmx, 303 otherwise.
func redirect(w http.ResponseWriter, r *http.Request, url string) error {
	if r.Header.Get("HX-Request") == "true" {
		w.Header().Set("HX-Redirect", url)
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	http.Redirect(w, r, url, http.StatusSeeOther)
	return nil
}

// layout builds the data every full page shares, once per request.
func layout(r *http.Request, title, section string) views.Layout {
	l := views.Layout{Title: title, Section: section, Demo: inDemo(r), DiskFull: diskFull(r), Flash: flash(r)}
	if u, ok := signedIn(r); ok {
		l.User, l.Role = u.Name, string(u.Role())
	}
	return l
}
