package web

import (
	"net/http"

	"ladder/internal/argowf"
	"ladder/internal/fault"
	"ladder/views"
)

const argowfURL = "/settings/argo-workflows-servers"

func listArgoWorkflowsServers(servers *argowf.Service) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		list, err := servers.List(r.Context())
		if err != nil {
			return err
		}
		return render(w, r, http.StatusOK, views.ArgoWorkflowsServersPage(layout(r, "Argo Workflows servers", "argo-workflows"), list, views.ArgoWorkflowsForm{Action: argowfURL}))
	}
}

func createArgoWorkflowsServer(servers *argowf.Service) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		form := argowfFormFrom(r, argowfURL)
		_, err := servers.Create(r.Context(), argowfInput(r, form))
		if fe, ok := fault.Fields(err); ok {
			form.Errors = fe
			return render(w, r, http.StatusUnprocessableEntity, views.ArgoWorkflowsFormCard(form))
		}
		if err != nil {
			return err
		}
		return redirect(w, r, argowfURL)
	}
}

func showArgoWorkflowsServer(servers *argowf.Service) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		s, err := servers.Get(r.Context(), r.PathValue("name"))
		if err != nil {
			return err
		}
		return render(w, r, http.StatusOK, views.ArgoWorkflowsServerPage(layout(r, s.Name, "argo-workflows"), s, views.NewArgoWorkflowsForm(s)))
	}
}

func updateArgoWorkflowsServer(servers *argowf.Service) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		name := r.PathValue("name")
		if _, err := servers.Get(r.Context(), name); err != nil {
			return err
		}
		form := argowfFormFrom(r, argowfURL+"/"+name)
		form.Editing = true
		_, err := servers.Update(r.Context(), name, argowfInput(r, form))
		if fe, ok := fault.Fields(err); ok {
			form.Errors = fe
			return render(w, r, http.StatusUnprocessableEntity, views.ArgoWorkflowsFormCard(form))
		}
		if err != nil {
			return err
		}
		return redirect(w, r, argowfURL)
	}
}

func deleteArgoWorkflowsServer(servers *argowf.Service) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := servers.Delete(r.Context(), r.PathValue("name")); err != nil {
			return err
		}
		return redirect(w, r, argowfURL)
	}
}

// testArgoWorkflowsServer checks the connection and answers with a fragment saying how it
// went; a failed connection is an answer, not an error.
func testArgoWorkflowsServer(servers *argowf.Service) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if _, err := servers.Get(r.Context(), r.PathValue("name")); err != nil {
			return err
		}
		msg, err := servers.Test(r.Context(), r.PathValue("name"))
		if err != nil {
			return render(w, r, http.StatusOK, views.ArgoWorkflowsTestResult(false, err.Error()))
		}
		return render(w, r, http.StatusOK, views.ArgoWorkflowsTestResult(true, msg))
	}
}

// argowfFormFrom reads the form's non-secret fields; the token goes straight into the Input.
func argowfFormFrom(r *http.Request, action string) views.ArgoWorkflowsForm {
	return views.ArgoWorkflowsForm{Action: action, Name: r.FormValue("name"), URL: r.FormValue("url"),
		Namespace: r.FormValue("namespace"), Insecure: r.FormValue("insecure") == "true", CABundle: r.FormValue("caBundle")}
}

func argowfInput(r *http.Request, f views.ArgoWorkflowsForm) argowf.Input {
	return argowf.Input{Name: f.Name, URL: f.URL, Namespace: f.Namespace, Token: r.FormValue("token"),
		Insecure: f.Insecure, CABundle: f.CABundle}
}
