package web

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"

	"ladder/internal/demo"
	"ladder/internal/fault"
	"ladder/views"
)

type demoKey struct{}

// markDemo tells every page that Ladder runs with --demo, so the layout shows the banner.
func markDemo(on bool, next http.Handler) http.Handler {
	if !on {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), demoKey{}, true)))
	})
}

// inDemo reports whether the request is served by a Ladder running with --demo.
func inDemo(r *http.Request) bool {
	on, _ := r.Context().Value(demoKey{}).(bool)
	return on
}

// demoHealthz is the endpoint the demo's HTTP check step calls: 200 while Ladder runs with
// --demo, 404 otherwise.
func demoHealthz(d *demo.Demo) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if d == nil {
			return fmt.Errorf("demo: %w (start Ladder with --demo)", fault.ErrNotFound)
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, err := io.WriteString(w, "ok\n")
		return err
	}
}

// showDemo is the demo guide: what was seeded and how to drive it.
func showDemo(d *demo.Demo) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if d == nil {
			return fmt.Errorf("demo: %w (start Ladder with --demo)", fault.ErrNotFound)
		}
		l := layout(r, "Demo", "")
		v := views.DemoView{Repos: d.Repos(), PollInterval: d.PollInterval()}
		return render(w, r, http.StatusOK, views.DemoPage(l, v))
	}
}

// commitDemoVersion is the banner's "New version in dev": it commits the next version to the
// dev repository as CI would. htmx gets the banner back saying what was committed; a plain
// form post goes on to the releases list.
func commitDemoVersion(log *slog.Logger, d *demo.Demo) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if d == nil {
			return fmt.Errorf("demo: %w (start Ladder with --demo)", fault.ErrNotFound)
		}
		banner := views.DemoBannerView{CanPromote: true}
		c, err := d.NewVersion(r.Context())
		if err != nil {
			log.ErrorContext(r.Context(), "demo: commit a new version to dev", "err", err)
			banner.Error = "the commit failed; the server log has the details"
		} else {
			banner.Committed = &c
			log.InfoContext(r.Context(), "demo: committed a new version to dev", "version", c.Version, "commit", c.SHA)
		}
		if r.Header.Get("HX-Request") != "true" {
			if err != nil {
				return err
			}
			return redirect(w, r, "/releases")
		}
		return render(w, r, http.StatusOK, views.DemoBanner(banner))
	}
}
