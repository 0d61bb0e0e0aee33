package web

import (
	"errors"
	"net/http"
	"strings"

	"ladder/internal/model"
	"ladder/views"
)

func showModelIO(w http.ResponseWriter, r *http.Request) error {
	return render(w, r, http.StatusOK, views.ModelIOPage(layout(r, "Export / Import", "model"), views.ModelIOView{CanAdmin: canAdmin(r)}))
}

// applyModelForm applies (or dry-runs) the YAML of the form and shows what it did, or every
// problem with the file.
func applyModelForm(m *model.Service) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		v := views.ModelIOView{Text: r.FormValue("yaml"), DryRun: r.FormValue("dryRun") == "true",
			Prune: r.FormValue("prune") == "true", CanAdmin: true}
		status := http.StatusOK
		if strings.TrimSpace(v.Text) == "" {
			v.Error, status = "Paste YAML documents to apply.", http.StatusUnprocessableEntity
		} else {
			changes, err := m.ApplyWith(r.Context(), strings.NewReader(v.Text), model.Options{DryRun: v.DryRun, Prune: v.Prune})
			var invalid *model.Invalid
			switch {
			case errors.As(err, &invalid):
				v.Problems, status = invalid.Problems, http.StatusUnprocessableEntity
			case err != nil:
				return err
			default:
				v.Applied, v.Changes = true, changes
			}
		}
		if r.Header.Get("HX-Request") == "true" {
			return render(w, r, status, views.ModelApplyCard(v))
		}
		return render(w, r, status, views.ModelIOPage(layout(r, "Export / Import", "model"), v))
	}
}
