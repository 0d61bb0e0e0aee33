package web

import (
	"bytes"
	"io"
	"net/http"

	"ladder/internal/model"
)

// yamlText stands for a YAML body in the OpenAPI description.
type yamlText string

// modelChanges is what applying a model file did, or would do in a dry run.
type modelChanges struct {
	DryRun  bool           `json:"dryRun"`
	Prune   bool           `json:"prune"`
	Changes []model.Change `json:"changes"`
}

// apiExportModel answers the whole model as YAML documents.
func apiExportModel(m *model.Service) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		var buf bytes.Buffer
		export := m.Export
		if !canAdmin(r) {
			export = m.ExportRedacted // workflow header and env values are for admins only
		}
		if err := export(r.Context(), &buf); err != nil {
			return err
		}
		w.Header().Set("Content-Type", "application/yaml; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="ladder-model.yaml"`)
		_, err := buf.WriteTo(w)
		return err
	}
}

// apiApplyModel applies the YAML documents of the body; ?dryRun=true only reports what would
// change, and ?prune=true also deletes what the body no longer declares. Secret references
// are resolved from the server's environment (LADDER_SECRET_<NAME>_<KEY>).
func apiApplyModel(m *model.Service) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		body, err := io.ReadAll(r.Body) // bounded by limitBody (MaxModelBody)
		if tl, ok := asTooLarge(err); ok {
			return tl
		}
		if err != nil {
			return badRequest{"could not read the body"}
		}
		if len(bytes.TrimSpace(body)) == 0 {
			return badRequest{"the request needs a YAML body"}
		}
		dryRun := r.URL.Query().Get("dryRun") == "true"
		prune := r.URL.Query().Get("prune") == "true"
		changes, err := m.ApplyWith(r.Context(), bytes.NewReader(body), model.Options{DryRun: dryRun, Prune: prune})
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, modelChanges{DryRun: dryRun, Prune: prune, Changes: changes})
	}
}
