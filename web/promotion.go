package web

import (
	"errors"
	"net/http"
	"strings"

	"ladder/internal/environment"
	"ladder/internal/fault"
	"ladder/internal/flow"
	"ladder/internal/product"
	"ladder/internal/promotion"
	"ladder/views"
)

// startChoices lists what the start-release form offers.
type startChoices struct {
	products   *product.Service
	flows      *flow.Service
	envs       *environment.Service
	promotions *promotion.Service
}

// names lists the products and the flows, by name.
func (c startChoices) names(r *http.Request) (products, flows []string, err error) {
	if products, err = c.products.Names(r.Context()); err != nil {
		return nil, nil, err
	}
	if flows, err = c.flows.Names(r.Context()); err != nil {
		return nil, nil, err
	}
	return products, flows, nil
}

func (c startChoices) form(r *http.Request) (views.StartForm, error) {
	var f views.StartForm
	var err error
	if f.Products, f.Flows, err = c.names(r); err != nil {
		return f, err
	}
	envs, err := c.envs.List(r.Context())
	if err != nil {
		return f, err
	}
	promotable, err := c.promotions.Promotable(r.Context(), actor(r), []string{""}, envs)
	if err != nil {
		return f, err
	}
	allowed := promotable[""]
	for _, e := range envs {
		f.Envs = append(f.Envs, e.Name)
		if allowed[e.Name] {
			f.Targets = append(f.Targets, e.Name)
		}
	}
	return f, nil
}

// showStartRelease answers the opening of the folded start form with the form, or, to a
// browser without scripts, a page holding it.
func showStartRelease(choices startChoices) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		f, err := choices.form(r)
		if err != nil {
			return err
		}
		f.Open = true
		if r.Header.Get("HX-Request") == "true" {
			return render(w, r, http.StatusOK, views.StartReleaseCard(f))
		}
		return render(w, r, http.StatusOK, views.StartReleasePage(layout(r, "Start a release", "releases"), f))
	}
}

// actor is who the request acts as, for the release actions service.
func actor(r *http.Request) promotion.Actor {
	u, _ := signedIn(r)
	return promotion.Person(u)
}

// startRelease runs a flow for a product, or promotes it from one environment to another,
// and sends the browser to the new release.
func startRelease(promotions *promotion.Service, choices startChoices) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		var f views.StartForm
		f.Mode, f.Product, f.Flow = r.FormValue("mode"), r.FormValue("product"), r.FormValue("flow")
		f.Commit, f.From, f.To, f.Action = strings.TrimSpace(r.FormValue("commit")), r.FormValue("from"), r.FormValue("to"), r.FormValue("action")
		f.Pins.Confirmed = r.FormValue("confirmPin") == "true"
		err := fault.FieldErrors{"_": "choose whether to trigger a flow or promote"}.Err()
		var id string
		if req, ok := startRequest(f); ok {
			rel, serr := promotions.Start(r.Context(), actor(r), req)
			id, err = rel.ID, serr
		}
		fe, isFields := fault.Fields(err)
		switch {
		case err == nil:
			return redirect(w, r, "/releases/"+id)
		case !isFields && (errors.Is(err, fault.ErrNotFound) || errors.Is(err, fault.ErrConflict)):
			fe = fault.FieldErrors{"_": err.Error()}
		case !isFields:
			return err
		}
		// The form comes back with its errors, and with the choices it offers (read only
		// now: a release that starts needs none of them).
		filled, err := choices.form(r)
		if err != nil {
			return err
		}
		f.Products, f.Flows, f.Envs, f.Targets, f.Errors = filled.Products, filled.Flows, filled.Envs, filled.Targets, fe
		if req, ok := startRequest(f); ok && fe["confirmPin"] != "" {
			pins, err := promotions.PinsFor(r.Context(), req)
			if err != nil {
				return err
			}
			f.Pins.Notice = promotion.PinNotice(pins)
		}
		return render(w, r, http.StatusUnprocessableEntity, views.StartReleaseCard(f))
	}
}

// startRequest reads the start form as a request: the mode chooses its half of the fields.
func startRequest(f views.StartForm) (promotion.Request, bool) {
	switch f.Mode {
	case "flow":
		return promotion.Request{Product: f.Product, Flow: f.Flow, Commit: f.Commit, ConfirmPins: f.Pins.Confirmed}, true
	case "promote":
		return promotion.Request{Product: f.Product, Single: true, From: f.From, To: f.To, Action: f.Action, ConfirmPins: f.Pins.Confirmed}, true
	}
	return promotion.Request{}, false
}
