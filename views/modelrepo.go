package views

import (
	"ladder/internal/model"
	"ladder/internal/modelrepo"
)

// changedOnly is what an attempt changed, without the documents it left unchanged.
func changedOnly(a modelrepo.Attempt) []model.Change {
	var out []model.Change
	for _, c := range a.Changes {
		if c.Action != model.Unchanged {
			out = append(out, c)
		}
	}
	return out
}
