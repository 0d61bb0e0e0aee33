package web

import (
	"fmt"
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

// minDiskFree is the free space below which Ladder reports itself not ready: a release writes
// its rows and a Git clone, and SQLite needs room for its journal.
const minDiskFree = 16 << 20

// readyz answers 200 once the database is migrated and the background workers run, 503 before,
// and 503 while the disk of the data directory is (nearly) full.
func readyz(ready func() bool, diskFree func() (uint64, error)) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if !ready() {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, err := io.WriteString(w, "starting\n")
			return err
		}
		if diskFree != nil {
			if free, err := diskFree(); err == nil && free < minDiskFree {
				w.WriteHeader(http.StatusServiceUnavailable)
				_, err := fmt.Fprintf(w, "disk full: %d KiB free on the disk of the data directory\n", free>>10)
				return err
			}
		}
		_, err := io.WriteString(w, "ready\n")
		return err
	}
}

// showSettings lists the settings pages.
func showSettings(w http.ResponseWriter, r *http.Request) error {
	return render(w, r, http.StatusOK, views.SettingsPage(layout(r, "Settings", "settings")))
}
