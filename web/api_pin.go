package web

import (
	"net/http"
	"time"

	"ladder/internal/pin"
	"ladder/internal/promotion"
)

// pinJSON is a pin as the API shows it.
type pinJSON struct {
	Product     string    `json:"product"`
	Environment string    `json:"environment"`
	Version     string    `json:"version"`
	Reason      string    `json:"reason"`
	Release     string    `json:"release"` // the roll back release that set it
	PinnedBy    string    `json:"pinnedBy"`
	CreatedAt   time.Time `json:"createdAt"`
	Blocker     string    `json:"blocker"` // what an automatic release waiting there shows
}

func pinOut(p pin.Pin) pinJSON {
	return pinJSON{Product: p.Product, Environment: p.Environment, Version: p.Version, Reason: p.Reason,
		Release: p.ReleaseID, PinnedBy: p.PinnedBy, CreatedAt: p.CreatedAt, Blocker: p.Blocker()}
}

// rollbackRequest rolls a release back into one environment, optionally pinning it there.
type rollbackRequest struct {
	Environment string `json:"environment"`
	Pin         bool   `json:"pin,omitempty"`
	PinReason   string `json:"pinReason,omitempty"`
}

// apiRollback starts a roll back of the release in the path through the same door as the
// release page's Roll back, and answers the new release.
func apiRollback(promotions *promotion.Service) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		var body rollbackRequest
		if err := readJSON(r, &body); err != nil {
			return err
		}
		rel, err := promotions.Rollback(r.Context(), actor(r), promotion.RollbackRequest{ReleaseID: r.PathValue("id"),
			Environment: body.Environment, Pin: body.Pin, PinReason: body.PinReason})
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusCreated, releaseOut(rel))
	}
}

// apiUnpin removes the pin of the product in the environment the path names.
func apiUnpin(promotions *promotion.Service) handlerFunc {
	return apiDelete(func(r *http.Request) error {
		_, err := promotions.Unpin(r.Context(), actor(r), r.PathValue("product"), r.PathValue("env"))
		return err
	})
}
