package web

import (
	"io"
	"net/http"

	"ladder/views"
)

// healthz answers 200 while the process can serve HTTP at all.
func healthz(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, err := io.WriteString(w, "ok\n")
	return err
}

// readyz answers 200 once the database is migrated and the background workers run, 503 before.
func readyz(ready func() bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if !ready() {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, err := io.WriteString(w, "starting\n")
			return err
		}
		_, err := io.WriteString(w, "ready\n")
		return err
	}
}

// showSettings lists the settings pages.
func showSettings(w http.ResponseWriter, r *http.Request) error {
	return render(w, r, http.StatusOK, views.SettingsPage(layout(r, "Settings", "settings")))
}
