package web

import (
	"net/http"

	"ladder/internal/argocd"
	"ladder/internal/fault"
	"ladder/views"
)

const argocdURL = "/settings/argocd-servers"

func listArgocdServers(servers *argocd.Service) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		list, err := servers.List(r.Context())
		if err != nil {
			return err
		}
		return render(w, r, http.StatusOK, views.ArgocdServersPage(layout(r, "Argo CD servers", "argocd"), list, views.ArgocdForm{Action: argocdURL}))
	}
}

func createArgocdServer(servers *argocd.Service) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		form := argocdFormFrom(r, argocdURL)
		_, err := servers.Create(r.Context(), argocdInput(r, form))
		if fe, ok := fault.Fields(err); ok {
			form.Errors = fe
			return render(w, r, http.StatusUnprocessableEntity, views.ArgocdFormCard(form))
		}
		if err != nil {
			return err
		}
		return redirect(w, r, argocdURL)
	}
}

func showArgocdServer(servers *argocd.Service) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		s, err := servers.Get(r.Context(), r.PathValue("name"))
		if err != nil {
			return err
		}
		return render(w, r, http.StatusOK, views.ArgocdServerPage(layout(r, s.Name, "argocd"), s, views.NewArgocdForm(s)))
	}
}

func updateArgocdServer(servers *argocd.Service) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		name := r.PathValue("name")
		if _, err := servers.Get(r.Context(), name); err != nil {
			return err
		}
		form := argocdFormFrom(r, argocdURL+"/"+name)
		form.Editing = true
		_, err := servers.Update(r.Context(), name, argocdInput(r, form))
		if fe, ok := fault.Fields(err); ok {
			form.Errors = fe
			return render(w, r, http.StatusUnprocessableEntity, views.ArgocdFormCard(form))
		}
		if err != nil {
			return err
		}
		return redirect(w, r, argocdURL)
	}
}

func deleteArgocdServer(servers *argocd.Service) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := servers.Delete(r.Context(), r.PathValue("name")); err != nil {
			return err
		}
		return redirect(w, r, argocdURL)
	}
}

// testArgocdServer checks the connection and answers with a fragment saying how it went; a
// failed connection is an answer, not an error.
func testArgocdServer(servers *argocd.Service) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if _, err := servers.Get(r.Context(), r.PathValue("name")); err != nil {
			return err
		}
		msg, err := servers.Test(r.Context(), r.PathValue("name"))
		if err != nil {
			return render(w, r, http.StatusOK, views.ArgocdTestResult(false, err.Error()))
		}
		return render(w, r, http.StatusOK, views.ArgocdTestResult(true, msg))
	}
}

// argocdFormFrom reads the form's non-secret fields; the token goes straight into the Input.
func argocdFormFrom(r *http.Request, action string) views.ArgocdForm {
	return views.ArgocdForm{Action: action, Name: r.FormValue("name"), URL: r.FormValue("url"),
		Insecure: r.FormValue("insecure") == "true", CABundle: r.FormValue("caBundle"),
		SyncAfterPromotion: r.FormValue("syncAfterPromotion") == "true"}
}

func argocdInput(r *http.Request, f views.ArgocdForm) argocd.Input {
	return argocd.Input{Name: f.Name, URL: f.URL, Token: r.FormValue("token"), Insecure: f.Insecure,
		CABundle: f.CABundle, SyncAfterPromotion: f.SyncAfterPromotion}
}
