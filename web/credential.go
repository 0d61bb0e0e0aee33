package web

import (
	"net/http"

	"ladder/internal/credential"
	"ladder/internal/fault"
	"ladder/views"
)

const credentialsURL = "/settings/git-credentials"

func listCredentials(creds *credential.Service) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		list, err := creds.List(r.Context())
		if err != nil {
			return err
		}
		form := views.CredentialForm{Action: credentialsURL, Kind: credential.KindHTTPS}
		return render(w, r, http.StatusOK, views.CredentialsPage(layout(r, "Git credentials", "credentials"), list, form))
	}
}

func createCredential(creds *credential.Service) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		form := credentialFormFrom(r, credentialsURL)
		_, err := creds.Create(r.Context(), credentialInput(r, form))
		if fe, ok := fault.Fields(err); ok {
			form.Errors = fe
			return render(w, r, http.StatusUnprocessableEntity, views.CredentialFormCard(form))
		}
		if err != nil {
			return err
		}
		return redirect(w, r, credentialsURL)
	}
}

func showCredential(creds *credential.Service) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		c, err := creds.Get(r.Context(), r.PathValue("name"))
		if err != nil {
			return err
		}
		return render(w, r, http.StatusOK, views.CredentialPage(layout(r, c.Name, "credentials"), c, views.NewCredentialForm(c)))
	}
}

func updateCredential(creds *credential.Service) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		name := r.PathValue("name")
		old, err := creds.Get(r.Context(), name)
		if err != nil {
			return err
		}
		form := credentialFormFrom(r, credentialsURL+"/"+name)
		form.Editing, form.Stored = true, form.Kind == old.Kind
		_, err = creds.Update(r.Context(), name, credentialInput(r, form))
		if fe, ok := fault.Fields(err); ok {
			form.Errors = fe
			return render(w, r, http.StatusUnprocessableEntity, views.CredentialFormCard(form))
		}
		if err != nil {
			return err
		}
		return redirect(w, r, credentialsURL)
	}
}

func deleteCredential(creds *credential.Service) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := creds.Delete(r.Context(), r.PathValue("name")); err != nil {
			return err
		}
		return redirect(w, r, credentialsURL)
	}
}

// credentialFormFrom reads the form's non-secret fields; the secrets go straight from the
// request into the Input and are never put into a view.
func credentialFormFrom(r *http.Request, action string) views.CredentialForm {
	return views.CredentialForm{Action: action, Name: r.FormValue("name"), URLPrefix: r.FormValue("urlPrefix"),
		Kind: r.FormValue("kind"), Username: r.FormValue("username"), KnownHosts: r.FormValue("knownHosts")}
}

func credentialInput(r *http.Request, f views.CredentialForm) credential.Input {
	return credential.Input{Name: f.Name, URLPrefix: f.URLPrefix, Kind: f.Kind, Username: f.Username,
		Token: r.FormValue("token"), PrivateKey: r.FormValue("privateKey"), KnownHosts: f.KnownHosts}
}
