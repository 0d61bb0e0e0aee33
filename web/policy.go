package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/a-h/templ"

	"ladder/internal/environment"
	"ladder/internal/fault"
	"ladder/internal/policy"
	"ladder/internal/product"
	"ladder/internal/workflow"
	"ladder/views"
)

// productCatalog lists the known products with their tags, for Evaluate's suggestions. When
// it is nil, Evaluate works from a product name and tags typed in.
type productCatalog func(ctx context.Context) ([]policy.Product, error)

// catalogOf lists products' names and tags for Evaluate; nil when products is.
func catalogOf(products *product.Service) productCatalog {
	if products == nil {
		return nil
	}
	return func(ctx context.Context) ([]policy.Product, error) {
		list, err := products.List(ctx)
		if err != nil {
			return nil, err
		}
		out := make([]policy.Product, 0, len(list))
		for _, p := range list {
			out = append(out, policy.Product{Name: p.Name, Tags: p.Tags})
		}
		return out, nil
	}
}

func listPolicies(pols *policy.Service, envs *environment.Service, catalog productCatalog) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		list, err := pols.List(r.Context())
		if err != nil {
			return err
		}
		eval, err := evaluateForm(r, "/policies/evaluate", envs, catalog, true)
		if err != nil {
			return err
		}
		return render(w, r, http.StatusOK, views.PoliciesPage(layout(r, "Policies", "policies"), list, eval, nil))
	}
}

func newPolicy(wfs *workflow.Service) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		return renderPolicyPage(w, r, wfs, "New policy", views.PolicyForm{Action: "/policies"})
	}
}

func createPolicy(pols *policy.Service, wfs *workflow.Service) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		form := views.PolicyForm{Action: "/policies"}
		var err error
		var p policy.Policy
		if form.Input, err = policyInputFrom(r); err == nil {
			p, err = pols.Create(r.Context(), form.Input)
		}
		if fe, ok := fault.Fields(err); ok {
			return renderPolicyForm(w, r, wfs, form, fe)
		}
		if err != nil {
			return err
		}
		return redirectFlash(w, r, "/policies/"+p.Name, "Added policy "+p.Name)
	}
}

func showPolicy(pols *policy.Service, wfs *workflow.Service) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		p, err := pols.Get(r.Context(), r.PathValue("name"))
		if err != nil {
			return err
		}
		form := views.PolicyForm{Action: "/policies/" + p.Name, Input: policy.InputOf(p), Editing: true}
		return renderPolicyPage(w, r, wfs, p.Name, form)
	}
}

func updatePolicy(pols *policy.Service, wfs *workflow.Service) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		name := r.PathValue("name")
		form := views.PolicyForm{Action: "/policies/" + name, Editing: true}
		var err error
		var p policy.Policy
		if form.Input, err = policyInputFrom(r); err == nil {
			p, err = pols.Update(r.Context(), name, form.Input)
		}
		if fe, ok := fault.Fields(err); ok {
			return renderPolicyForm(w, r, wfs, form, fe)
		}
		if err != nil {
			return err
		}
		return redirectFlash(w, r, "/policies/"+p.Name, "Saved policy "+p.Name)
	}
}

func deletePolicy(pols *policy.Service) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := pols.Delete(r.Context(), r.PathValue("name")); err != nil {
			return err
		}
		return redirect(w, r, "/policies")
	}
}

// evaluatePolicies answers Evaluate: the settings resolved for a product in an environment,
// inside the re-rendered form (the whole page when the browser asked without htmx).
func evaluatePolicies(pols *policy.Service, envs *environment.Service, catalog productCatalog) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		form, err := evaluateForm(r, "/policies/evaluate", envs, catalog, false)
		if err != nil {
			return err
		}
		product := evaluatedProduct(&form)
		var env environment.Environment
		if form.Environment == "" {
			form.Errors.Add("environment", "choose an environment")
		} else if env, err = envs.Get(r.Context(), form.Environment); err != nil {
			form.Errors.Add("environment", "there is no environment called "+strconv.Quote(form.Environment))
		}
		var result templ.Component
		status := http.StatusUnprocessableEntity
		if len(form.Errors) == 0 {
			res, err := pols.Evaluate(r.Context(), product, policy.Environment{Name: env.Name, Kind: env.Kind, Tags: env.Tags}, policy.Settings{})
			if err != nil {
				return err
			}
			result, status = views.ResolutionResult(res), http.StatusOK
		}
		if r.Header.Get("HX-Request") == "true" {
			return render(w, r, status, views.EvaluateFormCard(form, result))
		}
		list, err := pols.List(r.Context())
		if err != nil {
			return err
		}
		return render(w, r, status, views.PoliciesPage(layout(r, "Policies", "policies"), list, form, result))
	}
}

// evaluateForm reads an Evaluate request; blank leaves the answers empty (for a first visit).
func evaluateForm(r *http.Request, action string, envs *environment.Service, catalog productCatalog, blank bool) (views.EvaluateForm, error) {
	form := views.EvaluateForm{Action: action, Errors: fault.FieldErrors{}}
	if !blank {
		q := r.URL.Query()
		form.Product, form.Tags, form.Environment = strings.TrimSpace(q.Get("product")), q.Get("tags"), q.Get("environment")
	}
	if envs != nil {
		list, err := envs.List(r.Context())
		if err != nil {
			return form, err
		}
		form.Environments = list
	}
	if catalog != nil {
		products, err := catalog(r.Context())
		if err != nil {
			return form, err
		}
		form.Products = products
	}
	return form, nil
}

// evaluatedProduct is the product an Evaluate form names: the tags typed in, or else the
// known product's tags. It records a missing or malformed name in the form's errors.
func evaluatedProduct(form *views.EvaluateForm) policy.Product {
	p := policy.Product{Name: form.Product, Tags: splitList(form.Tags)}
	if !fault.NamePattern.MatchString(p.Name) {
		form.Errors.Add("product", "enter a product name: "+fault.NameRule)
	}
	for _, known := range form.Products {
		if known.Name == p.Name && len(p.Tags) == 0 {
			p.Tags = known.Tags
			form.Tags = strings.Join(known.Tags, ", ")
		}
	}
	return p
}

func renderPolicyPage(w http.ResponseWriter, r *http.Request, wfs *workflow.Service, title string, form views.PolicyForm) error {
	names, err := wfs.Names(r.Context())
	if err != nil {
		return err
	}
	form.Workflows = names
	return render(w, r, http.StatusOK, views.PolicyPage(layout(r, title, "policies"), form))
}

// renderPolicyForm answers invalid input: the form again, with its errors, and 422.
func renderPolicyForm(w http.ResponseWriter, r *http.Request, wfs *workflow.Service, form views.PolicyForm, fe fault.FieldErrors) error {
	names, err := wfs.Names(r.Context())
	if err != nil {
		return err
	}
	form.Errors, form.Workflows = fe, names
	return render(w, r, http.StatusUnprocessableEntity, views.PolicyFormCard(form))
}

func policyInputFrom(r *http.Request) (policy.Input, error) {
	if err := r.ParseForm(); err != nil {
		return policy.Input{}, fault.FieldErrors{"_": "the form could not be read"}
	}
	in := policy.Input{
		Name: r.PostFormValue("name"),
		Selector: policy.Selector{
			Products: policy.ProductSelector{Names: splitList(r.PostFormValue("productNames")),
				Tags: splitList(r.PostFormValue("productTags"))},
			Environments: policy.EnvironmentSelector{Names: splitList(r.PostFormValue("environmentNames")),
				Kinds: r.PostForm["environmentKinds"], Tags: splitList(r.PostFormValue("environmentTags"))},
		},
		Settings: policy.Settings{PreAction: r.PostFormValue("preAction"), Action: r.PostFormValue("action"),
			PostAction: r.PostFormValue("postAction")},
		Binding: r.PostFormValue("binding") == "true",
	}
	if p := strings.TrimSpace(r.PostFormValue("priority")); p != "" {
		n, err := strconv.ParseInt(p, 10, 64)
		if err != nil {
			return in, fault.FieldErrors{"priority": "must be a whole number"}
		}
		in.Priority = n
	}
	return in, nil
}
