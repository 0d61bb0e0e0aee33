package web

import (
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"ladder/internal/broker"
	"ladder/internal/environment"
	"ladder/internal/fault"
	"ladder/internal/release"
	"ladder/internal/share"
	"ladder/views"
)

// shareLinksPath is the settings page listing every share link.
const shareLinksPath = "/settings/share-links"

func sharePanel(r *http.Request, shares *share.Service, releaseID string, now func() time.Time) (views.SharePanel, error) {
	links, err := shares.OfRelease(r.Context(), releaseID)
	return views.SharePanel{ReleaseID: releaseID, Links: links, Now: now()}, err
}

// createShare makes a share link for a release and shows its address, this once.
func createShare(shares *share.Service, now func() time.Time) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id := r.PathValue("id")
		var ttl time.Duration
		if v := r.FormValue("expires"); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 {
				p, perr := sharePanel(r, shares, id, now)
				if perr != nil {
					return perr
				}
				p.Errors = map[string]string{"expires": "choose one of the offered expiry times"}
				return render(w, r, http.StatusUnprocessableEntity, views.SharePanelCard(p))
			}
			ttl = d
		}
		_, token, err := shares.Create(r.Context(), id, ttl)
		if err != nil {
			return err
		}
		p, err := sharePanel(r, shares, id, now)
		if err != nil {
			return err
		}
		p.NewURL = origin(r) + "/s/" + token
		if r.Header.Get("HX-Request") != "true" {
			l := layout(r, "Share link", "releases")
			return render(w, r, http.StatusOK, views.ShareCreatedPage(l, p))
		}
		return render(w, r, http.StatusOK, views.SharePanelCard(p))
	}
}

// origin is the scheme and host the browser used to reach Ladder, for absolute share links.
func origin(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// revokeShare ends a share link and goes back to where the promoter came from: the settings
// list or the release page.
func revokeShare(shares *share.Service) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil {
			return fmt.Errorf("share link %q: %w", r.PathValue("id"), fault.ErrNotFound)
		}
		link, err := shares.Revoke(r.Context(), id)
		if err != nil {
			return err
		}
		if r.FormValue("next") == shareLinksPath {
			return redirect(w, r, shareLinksPath)
		}
		return redirect(w, r, "/releases/"+link.ReleaseID+"#share-panel")
	}
}

func listShares(shares *share.Service, now func() time.Time) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		links, err := shares.List(r.Context(), 500)
		if err != nil {
			return err
		}
		return render(w, r, http.StatusOK, views.ShareLinksPage(layout(r, "Share links", "share-links"), links, now()))
	}
}

// showShared is the public, read-only live status page behind a share link.
func showShared(shares *share.Service, rels *release.Service, envs *environment.Service, now func() time.Time) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		v, err := sharedView(r, shares, rels, envs, now)
		if err != nil {
			return err
		}
		w.Header().Set("Referrer-Policy", "no-referrer") // the token is in the URL
		l := views.Layout{Title: fmt.Sprintf("%s #%d", v.Release.Product, v.Release.Number), Favicon: views.StatusFavicon(v.Release.Status)}
		return render(w, r, http.StatusOK, views.SharedPage(l, v))
	}
}

// sharedEvents streams a shared page's live updates. The token is checked again for every
// update, so a revoked or expired link stops at once.
func sharedEvents(log *slog.Logger, shares *share.Service, rels *release.Service, envs *environment.Service, b *broker.Broker, closing <-chan struct{}, cache *renderCache, now func() time.Time) handlerFunc {
	topic := func(r *http.Request) string {
		id, _ := shares.Resolve(r.Context(), r.PathValue("token"))
		return id
	}
	return stream(log, b, closing, topic, func(r *http.Request) (rendering, error) {
		// Resolved on every wake-up, outside the cache, so a link stops the moment it expires.
		id, err := shares.Resolve(r.Context(), r.PathValue("token"))
		if err != nil {
			return rendering{}, err
		}
		return cache.get("shared "+id, func() (rendering, error) {
			// The newest event first, then the release: see releaseView.
			events, err := rels.RecentEvents(r.Context(), id, 1)
			if err != nil {
				return rendering{}, err
			}
			v, err := sharedView(r, shares, rels, envs, now)
			if err != nil {
				return rendering{}, err
			}
			last := int64(0)
			if len(events) > 0 {
				last = events[0].ID
			}
			return event(r, "release", last, views.SharedBody(v))
		})
	})
}

func sharedView(r *http.Request, shares *share.Service, rels *release.Service, envs *environment.Service, now func() time.Time) (views.SharedView, error) {
	token := r.PathValue("token")
	id, err := shares.Resolve(r.Context(), token)
	if err != nil {
		return views.SharedView{}, err
	}
	rel, err := rels.Get(r.Context(), id)
	if err != nil {
		return views.SharedView{}, err
	}
	prod, err := productionEnvironments(r, envs)
	if err != nil {
		return views.SharedView{}, err
	}
	return views.SharedView{Release: rel, Production: prod, Now: now(), StreamURL: "/s/" + token + "/events"}, nil
}
