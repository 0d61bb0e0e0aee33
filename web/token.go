package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/a-h/templ"

	"ladder/internal/fault"
	"ladder/internal/token"
	"ladder/views"
)

func listTokens(tokens *token.Service, now func() time.Time) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		list, err := tokens.List(r.Context())
		if err != nil {
			return err
		}
		return render(w, r, http.StatusOK, views.TokensPage(layout(r, "API tokens", "tokens"), list, views.TokenForm{Role: "viewer"}, now()))
	}
}

// createToken shows the new token once, in the form that created it; the list rides along out
// of band.
func createToken(tokens *token.Service, now func() time.Time) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		form := views.TokenForm{Name: r.FormValue("name"), Role: r.FormValue("role")}
		_, secret, err := tokens.Create(r.Context(), token.Input{Name: form.Name, Role: form.Role})
		if fe, ok := fault.Fields(err); ok {
			form.Errors = fe
			return render(w, r, http.StatusUnprocessableEntity, views.TokenFormCard(form))
		}
		if err != nil {
			return err
		}
		list, err := tokens.List(r.Context())
		if err != nil {
			return err
		}
		fresh := views.TokenForm{Role: "viewer", Secret: secret}
		w.Header().Set("Cache-Control", "no-store")
		if r.Header.Get("HX-Request") != "true" {
			return render(w, r, http.StatusCreated, views.TokensPage(layout(r, "API tokens", "tokens"), list, fresh, now()))
		}
		return render(w, r, http.StatusOK, templ.Join(views.TokenFormCard(fresh), views.TokenList(list, now(), true)))
	}
}

func revokeToken(tokens *token.Service, now func() time.Time) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil {
			return fault.ErrNotFound
		}
		if err := tokens.Revoke(r.Context(), id); err != nil {
			return err
		}
		if r.Header.Get("HX-Request") != "true" {
			return redirect(w, r, "/tokens")
		}
		list, err := tokens.List(r.Context())
		if err != nil {
			return err
		}
		return render(w, r, http.StatusOK, views.TokenList(list, now(), false))
	}
}
