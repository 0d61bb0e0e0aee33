package web

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"ladder/internal/audit"
	"ladder/internal/environment"
	"ladder/internal/fault"
	"ladder/internal/flow"
	"ladder/internal/product"
	"ladder/internal/release"
	"ladder/internal/runner"
	"ladder/internal/user"
	"ladder/views"
)

// startChoices lists what the start-release form offers.
type startChoices struct {
	products *product.Service
	flows    *flow.Service
	envs     *environment.Service
	users    *user.Service
}

func (c startChoices) form(r *http.Request) (views.StartForm, error) {
	var f views.StartForm
	prods, err := c.products.List(r.Context())
	if err != nil {
		return f, err
	}
	for _, p := range prods {
		f.Products = append(f.Products, p.Name)
	}
	flows, err := c.flows.List(r.Context())
	if err != nil {
		return f, err
	}
	for _, fl := range flows {
		f.Flows = append(f.Flows, fl.Name)
	}
	envs, err := c.envs.List(r.Context())
	if err != nil {
		return f, err
	}
	allowed, err := promotable(r, c.users, envs)
	if err != nil {
		return f, err
	}
	for _, e := range envs {
		f.Envs = append(f.Envs, e.Name)
		if allowed[e.Name] {
			f.Targets = append(f.Targets, e.Name)
		}
	}
	return f, nil
}

// startRelease runs a flow for a product, or promotes it from one environment to another,
// and sends the browser to the new release.
func startRelease(plan *runner.Planner, run *runner.Runner, users *user.Service, choices startChoices) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		var f views.StartForm
		f.Mode, f.Product, f.Flow = r.FormValue("mode"), r.FormValue("product"), r.FormValue("flow")
		f.Commit, f.From, f.To, f.Action = strings.TrimSpace(r.FormValue("commit")), r.FormValue("from"), r.FormValue("to"), r.FormValue("action")
		id, err := startFromForm(r, plan, run, users, choices.envs, f)
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
		return render(w, r, http.StatusUnprocessableEntity, views.StartReleaseCard(f))
	}
}

func startFromForm(r *http.Request, plan *runner.Planner, run *runner.Runner, users *user.Service, envs *environment.Service, f views.StartForm) (string, error) {
	who := audit.Actor(r.Context())
	fe := fault.FieldErrors{}
	if f.Product == "" {
		fe.Add("product", "is required")
	}
	switch f.Mode {
	case "flow":
		if f.Flow == "" {
			fe.Add("flow", "is required")
		}
		if err := fe.Err(); err != nil {
			return "", err
		}
		spec, err := plan.FlowSpec(r.Context(), runner.FlowRequest{Product: f.Product, Flow: f.Flow, Commit: f.Commit, Initiator: who})
		if err != nil {
			return "", err
		}
		if err := mayPromote(r, users, envs, spec); err != nil {
			return "", err
		}
		rel, err := run.Start(r.Context(), spec)
		return rel.ID, err
	case "promote":
		if f.From == "" {
			fe.Add("from", "is required")
		}
		if f.To == "" {
			fe.Add("to", "is required")
		}
		if err := fe.Err(); err != nil {
			return "", err
		}
		spec, err := plan.PromotionSpec(r.Context(), runner.PromotionRequest{Product: f.Product, From: f.From, To: f.To, Action: f.Action, Initiator: who})
		if err != nil {
			return "", err
		}
		if err := mayPromote(r, users, envs, spec); err != nil {
			return "", err
		}
		rel, err := run.Start(r.Context(), spec)
		return rel.ID, err
	}
	return "", fault.FieldErrors{"_": "choose whether to trigger a flow or promote"}
}

// mayPromote refuses a release into any environment the caller's rules do not let them
// promote to.
func mayPromote(r *http.Request, users *user.Service, envs *environment.Service, spec release.Spec) error {
	if _, ok := signedIn(r); !ok {
		return fault.ErrUnauthenticated
	}
	for _, e := range spec.Environments {
		if e.IsTrigger {
			continue
		}
		env, err := envs.Get(r.Context(), e.Name)
		if err != nil {
			return err
		}
		if err := mayPromoteTo(r, users, env); err != nil {
			return err
		}
	}
	return nil
}

// mayPromoteTo refuses a promotion into env when the caller's rules do not allow it.
func mayPromoteTo(r *http.Request, users *user.Service, env environment.Environment) error {
	u, ok := signedIn(r)
	if !ok {
		return fault.ErrUnauthenticated
	}
	allowed, err := users.CanPromote(r.Context(), u, user.Target{Name: env.Name, Kind: env.Kind})
	if err != nil {
		return err
	}
	if !allowed {
		return fmt.Errorf("%s may not promote to %s: %w", u.Name, env.Name, fault.ErrForbidden)
	}
	return nil
}

// promotable lists the names of envs the caller may promote to, reading the rules once.
func promotable(r *http.Request, users *user.Service, envs []environment.Environment) (map[string]bool, error) {
	out := map[string]bool{}
	u, ok := signedIn(r)
	if !ok {
		return out, nil
	}
	rules, err := users.Rules(r.Context())
	if err != nil {
		return nil, err
	}
	for _, e := range envs {
		out[e.Name] = user.Allowed(rules, u, user.Promote, user.Target{Name: e.Name, Kind: e.Kind})
	}
	return out, nil
}
