package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"ladder/internal/application"
	"ladder/internal/environment"
	"ladder/internal/fault"
	"ladder/internal/pin"
	"ladder/internal/product"
	"ladder/internal/promotion"
	"ladder/internal/trigger"
	"ladder/views"
)

func listProducts(products *product.Service) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		list, err := products.List(r.Context())
		if err != nil {
			return err
		}
		return render(w, r, http.StatusOK, views.ProductsPage(layout(r, "Products", "products"), list, views.ProductForm{Action: "/products"}))
	}
}

// createProduct adds a product from the short form; its settings are edited on its page.
func createProduct(products *product.Service) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		form := views.ProductForm{Action: "/products", Name: r.FormValue("name"), Tags: r.FormValue("tags"),
			Description: r.FormValue("description")}
		p, err := products.Create(r.Context(), product.Input{Name: form.Name, Tags: environment.ParseTags(form.Tags),
			Description: form.Description, Concurrency: product.ConcurrencyQueue, QueueLimit: product.DefaultQueueLimit})
		if fe, ok := fault.Fields(err); ok {
			form.Errors = fe
			return render(w, r, http.StatusUnprocessableEntity, views.ProductFormCard(form))
		}
		if err != nil {
			return err
		}
		return redirectFlash(w, r, "/products/"+p.Name, "Added product "+p.Name)
	}
}

func showProduct(products *product.Service, apps *application.Service, planner *promotion.Planner, failures *trigger.Failures, pins *pin.Service, now func() time.Time) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		p, err := products.Get(r.Context(), r.PathValue("name"))
		if err != nil {
			return err
		}
		flows, err := products.FlowNames(r.Context())
		if err != nil {
			return err
		}
		form := views.NewProductForm(p, flows)
		if form.FlowProblems, err = productFlowProblems(r.Context(), planner, p); err != nil {
			return err
		}
		list, err := failures.List(r.Context(), p.Name)
		if err != nil {
			return err
		}
		pinned, err := pins.OfProduct(r.Context(), p.Name)
		if err != nil {
			return err
		}
		return renderProductPage(w, r, apps, p, form, list, pinned, now())
	}
}

// productFlowProblems says, per entry of p's flow list, which steps of the flow could not run
// for p (no action, no application there), for warnings next to the entry.
func productFlowProblems(ctx context.Context, planner *promotion.Planner, p product.Product) (map[int][]promotion.StepProblem, error) {
	out := map[int][]promotion.StepProblem{}
	for i, ref := range p.Flows {
		problems, err := planner.Problems(ctx, p.Name, ref.Flow)
		if errors.Is(err, fault.ErrNotFound) {
			continue // a flow deleted meanwhile: the form's own check reports it
		}
		if err != nil {
			return nil, err
		}
		if len(problems) > 0 {
			out[i] = problems
		}
	}
	return out, nil
}

func updateProduct(products *product.Service, apps *application.Service) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		name := r.PathValue("name")
		form, err := productFormFrom(r, products, name)
		if err != nil {
			return err
		}
		in, err := productInput(form)
		if err == nil {
			_, err = products.Update(r.Context(), name, in)
		}
		if fe, ok := fault.Fields(err); ok {
			form.Errors = fe
			return render(w, r, http.StatusUnprocessableEntity, views.ProductFormCard(form))
		}
		if err != nil {
			return err
		}
		return redirectFlash(w, r, "/products/"+in.Name, "Saved product "+in.Name)
	}
}

// editProduct applies one list edit (add, remove, move an entry, flow or selector) to the
// posted form and answers with the changed form; nothing is saved.
func editProduct(products *product.Service, apps *application.Service) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		name := r.PathValue("name")
		form, err := productFormFrom(r, products, name)
		if err != nil {
			return err
		}
		if err := applyEdit(&form, r.FormValue("op")); err != nil {
			return err
		}
		if r.Header.Get("HX-Request") == "true" {
			return render(w, r, http.StatusOK, views.ProductFormCard(form))
		}
		p, err := products.Get(r.Context(), name)
		if err != nil {
			return err
		}
		return renderProductPage(w, r, apps, p, form, nil, nil, time.Time{})
	}
}

func deleteProduct(products *product.Service) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		err := products.Delete(r.Context(), r.PathValue("name"))
		if errors.Is(err, fault.ErrConflict) && r.Header.Get("HX-Request") == "true" {
			// Shown next to the button; htmx swaps 422 answers, not 409 ones.
			return render(w, r, http.StatusUnprocessableEntity, views.ProductDeleteRefused(err.Error()))
		}
		if err != nil {
			return err
		}
		return redirect(w, r, "/products")
	}
}

// previewProduct reads the template from one of the product's applications. When the
// settings form rides along (hx-include), its unsaved template is previewed.
func previewProduct(products *product.Service, apps *application.Service, previewer *product.Previewer) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		p, err := products.Get(r.Context(), r.PathValue("name"))
		if err != nil {
			return err
		}
		env, appName, _ := strings.Cut(r.FormValue("app"), "/")
		a, err := apps.Get(r.Context(), env, appName)
		if err != nil {
			return err
		}
		if a.Product != p.Name {
			return fault.FieldErrors{"app": "is not an application of " + p.Name}
		}
		t := p.Template
		if _, ok := r.Form["versionSource.file"]; ok {
			if in, err := productInput(productFormFields(r)); err == nil {
				t = in.Template
			}
		}
		pv, err := previewer.Preview(r.Context(), t, a)
		if err != nil {
			return err
		}
		return render(w, r, http.StatusOK, views.PreviewResult(pv, t))
	}
}

func renderProductPage(w http.ResponseWriter, r *http.Request, apps *application.Service, p product.Product, form views.ProductForm,
	failures []trigger.Failure, pins []pin.Pin, now time.Time) error {
	list, err := apps.ListByProduct(r.Context(), p.Name)
	if err != nil {
		return err
	}
	return render(w, r, http.StatusOK, views.ProductPage(layout(r, p.Name, "products"), p, list, form, failures, pins, now))
}

func productInput(f views.ProductForm) (product.Input, error) {
	limit, err := strconv.Atoi(strings.TrimSpace(f.QueueLimit))
	if err != nil {
		return product.Input{}, fault.FieldErrors{"queueLimit": "must be a whole number, at least 1"}
	}
	in := product.Input{Name: f.Name, Tags: environment.ParseTags(f.Tags), Description: f.Description,
		Concurrency: f.Concurrency, QueueLimit: limit,
		Template: product.Template{VersionSource: product.VersionSource{File: f.VersionFile, JSONPath: f.VersionPath}}}
	for _, e := range f.Entries {
		in.Template.Promotion = append(in.Template.Promotion, product.Entry{File: e.File, JSONPaths: product.ParseLines(e.JSONPaths)})
	}
	for _, fl := range f.Flows {
		ref := product.FlowRef{Flow: fl.Flow}
		for _, s := range fl.Selectors {
			ref.TriggerSelectors = append(ref.TriggerSelectors, product.Selector{Key: s.Key, Operator: s.Operator, Values: product.ParseList(s.Values)})
		}
		in.Flows = append(in.Flows, ref)
	}
	return in, nil
}
