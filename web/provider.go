package web

import (
	"net/http"

	"ladder/internal/fault"
	"ladder/internal/provider"
	"ladder/views"
)

const providersURL = "/settings/git-providers"

func listProviders(providers *provider.Service) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		list, err := providers.List(r.Context())
		if err != nil {
			return err
		}
		form := views.ProviderForm{Action: providersURL, Kind: "github"}
		return render(w, r, http.StatusOK, views.ProvidersPage(layout(r, "Git providers", "providers"), list, form))
	}
}

func createProvider(providers *provider.Service) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		form := providerFormFrom(r, providersURL)
		_, err := providers.Create(r.Context(), providerInput(r, form))
		if fe, ok := fault.Fields(err); ok {
			form.Errors = fe
			return render(w, r, http.StatusUnprocessableEntity, views.ProviderFormCard(form))
		}
		if err != nil {
			return err
		}
		return redirect(w, r, providersURL)
	}
}

func showProvider(providers *provider.Service) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		p, err := providers.Get(r.Context(), r.PathValue("name"))
		if err != nil {
			return err
		}
		return render(w, r, http.StatusOK, views.ProviderPage(layout(r, p.Name, "providers"), p, views.NewProviderForm(p)))
	}
}

func updateProvider(providers *provider.Service) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		name := r.PathValue("name")
		old, err := providers.Get(r.Context(), name)
		if err != nil {
			return err
		}
		form := providerFormFrom(r, providersURL+"/"+name)
		form.Editing, form.HasWebhook = true, old.HasWebhook
		_, err = providers.Update(r.Context(), name, providerInput(r, form))
		if fe, ok := fault.Fields(err); ok {
			form.Errors = fe
			return render(w, r, http.StatusUnprocessableEntity, views.ProviderFormCard(form))
		}
		if err != nil {
			return err
		}
		return redirect(w, r, providersURL)
	}
}

func deleteProvider(providers *provider.Service) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := providers.Delete(r.Context(), r.PathValue("name")); err != nil {
			return err
		}
		return redirect(w, r, providersURL)
	}
}

// providerFormFrom reads the form's non-secret fields; the secrets go straight into the Input.
func providerFormFrom(r *http.Request, action string) views.ProviderForm {
	return views.ProviderForm{Action: action, Name: r.FormValue("name"), Kind: r.FormValue("kind"),
		BaseURL: r.FormValue("baseURL"), URLPrefix: r.FormValue("urlPrefix")}
}

func providerInput(r *http.Request, f views.ProviderForm) provider.Input {
	return provider.Input{Name: f.Name, Kind: f.Kind, BaseURL: f.BaseURL, URLPrefix: f.URLPrefix,
		Token: r.FormValue("token"), WebhookSecret: r.FormValue("webhookSecret"), ClearWebhook: r.FormValue("clearWebhook") == "true"}
}
