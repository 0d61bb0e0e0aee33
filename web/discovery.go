package web

import (
	"errors"
	"net/http"

	"ladder/internal/application"
	"ladder/internal/discovery"
	"ladder/internal/fault"
	"ladder/views"
)

func discoveryURL(server string) string { return views.ArgocdKind.URL + "/" + server + "/discovery" }

// showDiscovery shows a server's discovery settings, rules, proposals and discovered
// applications. Argo CD not answering is shown on the page, not an error.
func showDiscovery(disc *discovery.Service, apps *application.Service) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		st, err := disc.Settings(r.Context(), r.PathValue("name"))
		if err != nil {
			return err
		}
		return renderDiscovery(w, r, disc, apps, st, inputOf(st), nil, http.StatusOK)
	}
}

func renderDiscovery(w http.ResponseWriter, r *http.Request, disc *discovery.Service, apps *application.Service,
	st discovery.Settings, form discovery.Input, fe fault.FieldErrors, status int) error {
	p := views.DiscoveryPage{Server: st.Server, Settings: st, Form: form, Errors: fe}
	var err error
	if p.Rules, err = disc.Rules(r.Context()); err != nil {
		return err
	}
	if st.Enabled {
		if p.Proposals, err = disc.Proposals(r.Context(), st.Server); err != nil {
			p.ListError = err.Error()
		}
	}
	all, err := apps.List(r.Context())
	if err != nil {
		return err
	}
	for _, a := range all {
		if a.DiscoveredFrom == st.Server {
			p.Discovered = append(p.Discovered, a)
		}
	}
	return render(w, r, status, views.DiscoveryView(layout(r, "Discovery on "+st.Server, "argocd"), p))
}

// refuseDiscovery answers 422 with the page and fe; form is what was typed into the settings
// form (nil: the stored settings).
func refuseDiscovery(w http.ResponseWriter, r *http.Request, disc *discovery.Service, apps *application.Service,
	form *discovery.Input, fe fault.FieldErrors) error {
	st, err := disc.Settings(r.Context(), r.PathValue("name"))
	if err != nil {
		return err
	}
	in := inputOf(st)
	if form != nil {
		in = *form
	}
	return renderDiscovery(w, r, disc, apps, st, in, fe, http.StatusUnprocessableEntity)
}

func inputOf(st discovery.Settings) discovery.Input {
	in := discovery.Input{Enabled: st.Enabled, AppNamespace: st.AppNamespace, Selector: st.Selector,
		ProductAnnotation: st.ProductAnnotation, EnvironmentAnnotation: st.EnvironmentAnnotation}
	for i, p := range st.Projects {
		if i > 0 {
			in.Projects += ", "
		}
		in.Projects += p
	}
	return in
}

func saveDiscovery(disc *discovery.Service, apps *application.Service) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		name := r.PathValue("name")
		in := discovery.Input{Enabled: r.FormValue("enabled") == "true", Projects: r.FormValue("projects"),
			AppNamespace: r.FormValue("appNamespace"), Selector: r.FormValue("selector"),
			ProductAnnotation: r.FormValue("productAnnotation"), EnvironmentAnnotation: r.FormValue("environmentAnnotation")}
		_, err := disc.SaveSettings(r.Context(), name, in)
		if fe, ok := fault.Fields(err); ok {
			return refuseDiscovery(w, r, disc, apps, &in, fe)
		}
		if err != nil {
			return err
		}
		return redirect(w, r, discoveryURL(name))
	}
}

// saveDiscoveryRules reads cluster.<env> and namespace.<env> for every environment.
func saveDiscoveryRules(disc *discovery.Service) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		rules, err := disc.Rules(r.Context())
		if err != nil {
			return err
		}
		if err := r.ParseForm(); err != nil {
			return err
		}
		var out []discovery.Rule
		for _, x := range rules {
			if _, ok := r.PostForm["cluster."+x.Environment]; ok {
				out = append(out, discovery.Rule{Environment: x.Environment, Cluster: r.PostFormValue("cluster." + x.Environment),
					Namespace: r.PostFormValue("namespace." + x.Environment)})
			}
		}
		if err := disc.SaveRules(r.Context(), out); err != nil {
			return err
		}
		return redirect(w, r, discoveryURL(r.PathValue("name")))
	}
}

// acceptDiscovered creates the Ladder applications for the proposals ticked.
func acceptDiscovered(disc *discovery.Service, apps *application.Service) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		name := r.PathValue("name")
		if err := r.ParseForm(); err != nil {
			return err
		}
		_, err := disc.Accept(r.Context(), name, r.PostForm["app"])
		if fe, ok := fault.Fields(err); ok {
			fe["_"] = fe["accept"]
			return refuseDiscovery(w, r, disc, apps, nil, fe)
		}
		if err != nil {
			return err
		}
		return redirect(w, r, discoveryURL(name))
	}
}

// createDiscoveredProduct creates a product an annotation names, in one click.
func createDiscoveredProduct(disc *discovery.Service, apps *application.Service) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		name := r.PathValue("name")
		err := disc.CreateProduct(r.Context(), r.FormValue("product"))
		if fe, ok := fault.Fields(err); ok {
			fe["_"] = "product " + r.FormValue("product") + ": " + fe["name"]
			return refuseDiscovery(w, r, disc, apps, nil, fe)
		}
		if err != nil {
			return err
		}
		return redirect(w, r, discoveryURL(name))
	}
}

// refreshDiscovery brings the discovered applications in line with Argo CD now; a failure is
// recorded and shown on the page.
func refreshDiscovery(disc *discovery.Service) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		name := r.PathValue("name")
		if _, err := disc.Settings(r.Context(), name); err != nil {
			return err
		}
		if err := disc.Refresh(r.Context(), name); err != nil && !errors.Is(err, discovery.ErrListing) {
			return err
		}
		return redirect(w, r, discoveryURL(name))
	}
}
