package web

import (
	"context"
	"net/http"
	"net/url"

	"ladder/internal/application"
	"ladder/internal/environment"
	"ladder/internal/fault"
	"ladder/internal/product"
	"ladder/views"
)

func listApplications(apps *application.Service, envs *environment.Service, products *product.Service) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		list, err := apps.List(r.Context())
		if err != nil {
			return err
		}
		form, err := applicationForm(r.Context(), envs, products, "/applications")
		if err != nil {
			return err
		}
		// Links from a product page preselect that product.
		form.Product, form.Environment = r.URL.Query().Get("product"), r.URL.Query().Get("environment")
		return render(w, r, http.StatusOK, views.ApplicationsPage(layout(r, "Applications", "applications"), list, form))
	}
}

func createApplication(apps *application.Service, envs *environment.Service, products *product.Service) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		form, err := applicationFormFrom(r, envs, products, "/applications")
		if err != nil {
			return err
		}
		a, err := apps.Create(r.Context(), applicationInput(form))
		if fe, ok := fault.Fields(err); ok {
			form.Errors = fe
			return render(w, r, http.StatusUnprocessableEntity, views.ApplicationFormCard(form))
		}
		if err != nil {
			return err
		}
		// Back to the list, with the form ready for the product's next application.
		return redirectFlash(w, r, "/applications?product="+url.QueryEscape(a.Product)+"#application-form",
			"Added application "+a.Name+" in "+a.Environment)
	}
}

// lastGitError is why the last read of the repository at url failed, nil when it did not.
func (s Services) lastGitError(url string) error {
	return s.Promotions.Planner().Git.LastError(url)
}

// showApplication shows an application and, from lastGitError, why the last read of its
// repository failed.
func showApplication(apps *application.Service, envs *environment.Service, products *product.Service, lastGitError func(url string) error) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		a, err := apps.Get(r.Context(), r.PathValue("env"), r.PathValue("name"))
		if err != nil {
			return err
		}
		choices, err := applicationForm(r.Context(), envs, products, "")
		if err != nil {
			return err
		}
		form := views.NewApplicationForm(a, choices.Environments, choices.Products)
		var problem string
		if err := lastGitError(a.RepoURL); err != nil {
			problem = err.Error()
		}
		return render(w, r, http.StatusOK, views.ApplicationPage(layout(r, a.Name, "applications"), a, form, problem))
	}
}

func updateApplication(apps *application.Service, envs *environment.Service, products *product.Service) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		env, name := r.PathValue("env"), r.PathValue("name")
		form, err := applicationFormFrom(r, envs, products, "/applications/"+env+"/"+name)
		if err != nil {
			return err
		}
		form.Editing = true
		a, err := apps.Update(r.Context(), env, name, applicationInput(form))
		if fe, ok := fault.Fields(err); ok {
			form.Errors = fe
			return render(w, r, http.StatusUnprocessableEntity, views.ApplicationFormCard(form))
		}
		if err != nil {
			return err
		}
		return redirectFlash(w, r, "/applications/"+a.Environment+"/"+a.Name, "Saved application "+a.Name+" in "+a.Environment)
	}
}

func deleteApplication(apps *application.Service) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := apps.Delete(r.Context(), r.PathValue("env"), r.PathValue("name")); err != nil {
			return err
		}
		return redirect(w, r, "/applications")
	}
}

// applicationForm returns an empty form with the environments and products to choose from.
func applicationForm(ctx context.Context, envs *environment.Service, products *product.Service, action string) (views.ApplicationForm, error) {
	form := views.ApplicationForm{Action: action}
	el, err := envs.List(ctx)
	if err != nil {
		return form, err
	}
	for _, e := range el {
		form.Environments = append(form.Environments, e.Name)
	}
	pl, err := products.List(ctx)
	if err != nil {
		return form, err
	}
	for _, p := range pl {
		form.Products = append(form.Products, p.Name)
	}
	return form, nil
}

func applicationFormFrom(r *http.Request, envs *environment.Service, products *product.Service, action string) (views.ApplicationForm, error) {
	form, err := applicationForm(r.Context(), envs, products, action)
	form.Name, form.Environment, form.Product = r.FormValue("name"), r.FormValue("environment"), r.FormValue("product")
	form.RepoURL, form.Branch, form.Path = r.FormValue("repoURL"), r.FormValue("branch"), r.FormValue("path")
	form.ArgocdServer, form.ArgocdApp = r.FormValue("argocdServer"), r.FormValue("argocdApp")
	form.HealthURL = r.FormValue("healthURL")
	return form, err
}

func applicationInput(f views.ApplicationForm) application.Input {
	return application.Input{Name: f.Name, Environment: f.Environment, Product: f.Product, RepoURL: f.RepoURL,
		Branch: f.Branch, Path: f.Path, ArgocdServer: f.ArgocdServer, ArgocdApp: f.ArgocdApp, HealthURL: f.HealthURL}
}
