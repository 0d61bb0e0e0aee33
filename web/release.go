package web

import (
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/a-h/templ"

	"ladder/internal/broker"
	"ladder/internal/environment"
	"ladder/internal/fault"
	"ladder/internal/freeze"
	"ladder/internal/promotion"
	"ladder/internal/release"
	"ladder/internal/runner"
	"ladder/internal/share"
	"ladder/internal/trigger"
	"ladder/views"
)

// eventsShown is how many of a release's events its page lists.
const eventsShown = 500

func listReleases(rels *release.Service, failures *trigger.Failures, choices startChoices, cache *renderCache, now func() time.Time) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		return cache.page(w, r, "", func() (templ.Component, error) {
			list, err := releaseList(r, rels, cache.rows, now)
			if err != nil {
				return nil, err
			}
			if r.URL.Query().Get("before") == "" { // the first page: what is newest
				if list.Failures, err = failures.List(r.Context(), list.Filter.Product); err != nil {
					return nil, err
				}
			}
			if list.Filter.Products, list.Filter.Flows, err = choices.names(r); err != nil {
				return nil, err
			}
			return views.ReleasesPage(layout(r, "Releases", "releases"), list), nil
		})
	}
}

// releasesEvents streams a release list (the same filters and page) whenever any release
// changes.
func releasesEvents(log *slog.Logger, rels *release.Service, b *broker.Broker, closing <-chan struct{}, cache *renderCache, now func() time.Time) handlerFunc {
	topic := func(*http.Request) string { return broker.AllTopics }
	return stream(log, b, closing, topic, func(r *http.Request) (rendering, error) {
		return cache.get("releases "+r.URL.RawQuery, func() (rendering, error) {
			// The newest event first: the list read after it is at least that new.
			last, err := rels.NewestEventID(r.Context())
			if err != nil {
				return rendering{}, err
			}
			list, err := releaseList(r, rels, cache.rows, now)
			if err != nil {
				return rendering{}, err
			}
			return event(r, "releases", last, views.ReleaseListBody(list))
		})
	})
}

// releaseList reads one page of the release list with the query's filters.
func releaseList(r *http.Request, rels *release.Service, rows *views.RowMemo, now func() time.Time) (views.ReleaseList, error) {
	const pageSize = 50
	list := views.ReleaseList{Now: now(), StreamURL: "/releases/events", Rows: rows}
	if q := r.URL.RawQuery; q != "" {
		list.StreamURL += "?" + q
	}
	f, err := releaseFilter(r, &list.Filter)
	if err != nil {
		return list, err
	}
	f.Limit = pageSize
	if list.Releases, err = rels.Rows(r.Context(), f); err != nil {
		return list, err
	}
	if len(list.Releases) == pageSize {
		q := r.URL.Query()
		q.Set("before", list.Releases[pageSize-1].ID)
		list.Next = "/releases?" + q.Encode()
	}
	return list, nil
}

// releaseFilter reads the list's filters from the query into form and returns them as a
// release.Filter. A date that does not parse is reported next to its field and ignored.
func releaseFilter(r *http.Request, form *views.ReleaseFilter) (release.Filter, error) {
	q := r.URL.Query()
	form.Product, form.Status, form.Flow = q.Get("product"), q.Get("status"), q.Get("flow")
	form.From, form.To = q.Get("from"), q.Get("to")
	f := release.Filter{Product: form.Product, Status: form.Status, Flow: form.Flow, Before: q.Get("before")}
	if form.Flow == views.ManualFlow {
		f.Flow, f.Manual = "", true
	}
	form.Errors = map[string]string{}
	day := func(field, v string) time.Time {
		if v == "" {
			return time.Time{}
		}
		t, err := time.Parse(time.DateOnly, v)
		if err != nil {
			form.Errors[field] = "must be a date such as 2026-05-01"
		}
		return t
	}
	f.From = day("from", form.From)
	if to := day("to", form.To); !to.IsZero() {
		f.To = to.AddDate(0, 0, 1) // the whole last day
	}
	return f, nil
}

func showRelease(rels *release.Service, run *runner.Runner, envs *environment.Service, promotions *promotion.Service, shares *share.Service, cache *renderCache, now func() time.Time) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		return cache.page(w, r, "", func() (templ.Component, error) {
			v, err := releaseView(r, rels, run, envs, promotions, now)
			if err != nil {
				return nil, err
			}
			l := layout(r, v.Release.Product+" #"+fmt.Sprint(v.Release.Number), "releases")
			l.Favicon = views.StatusFavicon(v.Release.Status)
			if v.CanPromote {
				if v.Shares, err = sharePanel(r, shares, v.Release.ID, now); err != nil {
					return nil, err
				}
			}
			return views.ReleasePage(l, v), nil
		})
	}
}

// releaseEvents streams a release page's live updates. Every viewer of a release woken by
// the same change gets the same rendering, made once.
func releaseEvents(log *slog.Logger, rels *release.Service, run *runner.Runner, envs *environment.Service, promotions *promotion.Service, b *broker.Broker, closing <-chan struct{}, cache *renderCache, now func() time.Time) handlerFunc {
	topic := func(r *http.Request) string { return r.PathValue("id") }
	return stream(log, b, closing, topic, func(r *http.Request) (rendering, error) {
		return cache.get(cacheKey("events", r, r.PathValue("id")), func() (rendering, error) {
			v, err := releaseView(r, rels, run, envs, promotions, now)
			if err != nil {
				return rendering{}, err
			}
			last := int64(0)
			if n := len(v.Events); n > 0 {
				last = v.Events[n-1].ID
			}
			return event(r, "release", last, views.ReleaseBody(v))
		})
	})
}

// releaseView reads everything a release page shows, for the page and for its live updates.
func releaseView(r *http.Request, rels *release.Service, run *runner.Runner, envs *environment.Service, promotions *promotion.Service, now func() time.Time) (views.ReleaseView, error) {
	id := r.PathValue("id")
	// Events first: the release read after them is at least as new as the newest event, so
	// a stream that reports that event's ID never sends a state older than it claims.
	events, err := rels.RecentEvents(r.Context(), id, eventsShown)
	if err != nil {
		return views.ReleaseView{}, err
	}
	rel, err := rels.Get(r.Context(), id)
	if err != nil {
		return views.ReleaseView{}, err
	}
	prod, err := productionEnvironments(r, envs)
	if err != nil {
		return views.ReleaseView{}, err
	}
	v := views.ReleaseView{Release: rel, Events: events, Now: now(), StreamURL: "/releases/" + id + "/events", Production: prod,
		CanPromote: layout(r, "", "").CanPromote()}
	for _, e := range rel.Environments {
		if !e.IsTrigger {
			v.RollbackTo = append(v.RollbackTo, e.Name)
		}
		if waitsOnWindow(e) && v.CanPromote && promotions.MayOverrideFreeze(r.Context(), actor(r), rel, e.Name) {
			if v.Overridable == nil {
				v.Overridable = map[string]bool{}
			}
			v.Overridable[e.Name] = true
		}
	}
	v.Steps, err = stepList(r, run, rel, v.Now)
	return v, err
}

// productionEnvironments names the production environments, for graphs.
func productionEnvironments(r *http.Request, envs *environment.Service) (map[string]bool, error) {
	list, err := envs.List(r.Context())
	if err != nil {
		return nil, err
	}
	prod := map[string]bool{}
	for _, e := range list {
		prod[e.Name] = e.Production()
	}
	return prod, nil
}

// rollbackRelease starts a new release that promotes a succeeded release's stored values to
// the chosen environment.
func rollbackRelease(promotions *promotion.Service) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		rel, err := promotions.Rollback(r.Context(), actor(r), promotion.RollbackRequest{ReleaseID: r.PathValue("id"),
			Environment: r.FormValue("environment"), Pin: r.FormValue("pin") == "true", PinReason: r.FormValue("pinReason")})
		if fe, ok := fault.Fields(err); ok {
			return fmt.Errorf("%s: %w", fe.Error(), fault.ErrConflict)
		}
		if err != nil {
			return err
		}
		return redirect(w, r, "/releases/"+rel.ID)
	}
}

// unpin removes a product's pin in an environment and goes back to where the button was.
func unpin(promotions *promotion.Service) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		product := r.PathValue("name")
		if _, err := promotions.Unpin(r.Context(), actor(r), product, r.PathValue("env")); err != nil {
			return err
		}
		back := "/products/" + product
		if r.FormValue("back") == "dashboard" {
			back = "/"
		}
		return redirect(w, r, back)
	}
}

func terminateRelease(promotions *promotion.Service) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id := r.PathValue("id")
		if err := promotions.Terminate(r.Context(), actor(r), id); err != nil {
			return err
		}
		return redirect(w, r, "/releases/"+id)
	}
}

func retryRelease(promotions *promotion.Service) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id := r.PathValue("id")
		if err := promotions.Retry(r.Context(), actor(r), id); err != nil {
			return err
		}
		return redirect(w, r, "/releases/"+id)
	}
}

// waitsOnWindow reports whether e waits to start because a freeze window holds it.
func waitsOnWindow(e release.Environment) bool {
	return !e.IsTrigger && e.Status == release.Pending && e.FreezeOverride == "" && strings.HasPrefix(e.Blocker, freeze.BlockerPrefix)
}

// overrideFreeze lets a release through the freeze windows of one of its environments, with
// the reason the form gives.
func overrideFreeze(promotions *promotion.Service) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id := r.PathValue("id")
		err := promotions.OverrideFreeze(r.Context(), actor(r), promotion.FreezeOverride{ReleaseID: id,
			Environment: r.FormValue("environment"), Reason: r.FormValue("reason")})
		if err != nil {
			return err
		}
		return redirect(w, r, "/releases/"+id)
	}
}
