package web

import (
	"fmt"
	"net/http"
	"time"

	"github.com/a-h/templ"

	"ladder/internal/audit"
	"ladder/internal/broker"
	"ladder/internal/release"
	"ladder/internal/runner"
	"ladder/views"
)

// eventsShown is how many of a release's events its page lists.
const eventsShown = 500

func listReleases(rels *release.Service, choices startChoices, now func() time.Time) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		const pageSize = 50
		f := release.Filter{Product: r.URL.Query().Get("product"), Status: r.URL.Query().Get("status"),
			Before: r.URL.Query().Get("before"), Limit: pageSize}
		list, err := rels.List(r.Context(), f)
		if err != nil {
			return err
		}
		next := ""
		if len(list) == pageSize {
			next = list[len(list)-1].ID
		}
		start, err := choices.form(r)
		if err != nil {
			return err
		}
		return render(w, r, http.StatusOK, views.ReleasesPage(layout(r, "Releases", "releases"), list, now(), next, start))
	}
}

func showRelease(rels *release.Service, now func() time.Time) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		v, err := releaseView(r, rels, now)
		if err != nil {
			return err
		}
		l := layout(r, v.Release.Product+" #"+fmt.Sprint(v.Release.Number), "releases")
		v.CanPromote = l.CanPromote()
		return render(w, r, http.StatusOK, views.ReleasePage(l, v))
	}
}

// releaseEvents streams a release page's live updates.
func releaseEvents(rels *release.Service, b *broker.Broker, closing <-chan struct{}, now func() time.Time) handlerFunc {
	topic := func(r *http.Request) string { return r.PathValue("id") }
	return stream(b, closing, topic, "release", func(r *http.Request, after int64) (int64, templ.Component, bool, error) {
		v, err := releaseView(r, rels, now)
		if err != nil {
			return 0, nil, false, err
		}
		v.CanPromote = layout(r, "", "").CanPromote()
		last := int64(0)
		if n := len(v.Events); n > 0 {
			last = v.Events[n-1].ID
		}
		return last, views.ReleaseBody(v), last > after, nil
	})
}

func releaseView(r *http.Request, rels *release.Service, now func() time.Time) (views.ReleaseView, error) {
	id := r.PathValue("id")
	rel, err := rels.Get(r.Context(), id)
	if err != nil {
		return views.ReleaseView{}, err
	}
	events, err := rels.RecentEvents(r.Context(), id, eventsShown)
	if err != nil {
		return views.ReleaseView{}, err
	}
	return views.ReleaseView{Release: rel, Events: events, Now: now(), StreamURL: "/releases/" + id + "/events"}, nil
}

func terminateRelease(run *runner.Runner) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id := r.PathValue("id")
		if err := run.Terminate(r.Context(), id, audit.Actor(r.Context())); err != nil {
			return err
		}
		return redirect(w, r, "/releases/"+id)
	}
}

func retryRelease(run *runner.Runner) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id := r.PathValue("id")
		if err := run.Retry(r.Context(), id, audit.Actor(r.Context())); err != nil {
			return err
		}
		return redirect(w, r, "/releases/"+id)
	}
}
