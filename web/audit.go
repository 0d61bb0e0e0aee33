package web

import (
	"encoding/csv"
	"net/http"
	"net/url"
	"strings"
	"time"

	"ladder/internal/audit"
	"ladder/internal/fault"
	"ladder/views"
)

// auditPageSize is how many entries one page of the audit log shows.
const auditPageSize = 50

func listAudit(log *audit.Log, now func() time.Time) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		form, filter, err := auditFilter(r)
		if err != nil {
			return err
		}
		records, next, err := log.Page(r.Context(), filter, audit.ParseCursor(r.URL.Query().Get("before")), auditPageSize)
		if err != nil {
			return err
		}
		if form.Kinds, err = log.Kinds(r.Context()); err != nil {
			return err
		}
		return render(w, r, http.StatusOK, views.AuditPage(layout(r, "Audit log", "audit"), form, records, next.String(), now()))
	}
}

// exportAudit streams every entry the filter matches as CSV, newest first.
func exportAudit(log *audit.Log) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		_, filter, err := auditFilter(r)
		if err != nil {
			return err
		}
		records, next, err := log.Page(r.Context(), filter, audit.Cursor{}, 1000)
		if err != nil {
			return err
		}
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="ladder-audit.csv"`)
		out := csv.NewWriter(w)
		_ = out.Write([]string{"at", "actor", "action", "kind", "name", "detail"})
		for {
			for _, rec := range records {
				_ = out.Write([]string{rec.At.Format(time.RFC3339Nano), cell(rec.Actor), cell(rec.Action),
					cell(rec.Kind), cell(rec.Name), cell(rec.Detail)})
			}
			if next == (audit.Cursor{}) {
				break
			}
			// Headers are gone by now: abort the connection so the client sees a failed download,
			// not a file that looks complete.
			if records, next, err = log.Page(r.Context(), filter, next, 1000); err != nil {
				out.Flush()
				panic(http.ErrAbortHandler)
			}
		}
		out.Flush()
		return out.Error()
	}
}

// cell keeps a spreadsheet from running a value as a formula.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// auditFilter reads the filter from the query: dates are whole UTC days, both ends included.
func auditFilter(r *http.Request) (views.AuditFilter, audit.Filter, error) {
	q := r.URL.Query()
	form := views.AuditFilter{Actor: strings.TrimSpace(q.Get("actor")), Kind: q.Get("kind"), From: q.Get("from"), To: q.Get("to")}
	filter := audit.Filter{Actor: form.Actor, Kind: form.Kind}
	fe := fault.FieldErrors{}
	if form.From != "" {
		t, err := time.Parse(time.DateOnly, form.From)
		if err != nil {
			fe.Add("from", "must be a date such as 2026-05-01")
		}
		filter.From = t
	}
	if form.To != "" {
		t, err := time.Parse(time.DateOnly, form.To)
		if err != nil {
			fe.Add("to", "must be a date such as 2026-05-31")
		}
		filter.To = t.AddDate(0, 0, 1)
	}
	keep := url.Values{}
	for k, v := range map[string]string{"actor": form.Actor, "kind": form.Kind, "from": form.From, "to": form.To} {
		if v != "" {
			keep.Set(k, v)
		}
	}
	form.Query = keep.Encode()
	return form, filter, fe.Err()
}
