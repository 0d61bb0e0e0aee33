package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"ladder/internal/fault"
	"ladder/internal/product"
	"ladder/views"
)

// productFormFrom reads the settings editor of the product called name from the request.
func productFormFrom(r *http.Request, products *product.Service, name string) (views.ProductForm, error) {
	form := productFormFields(r)
	form.Action, form.EditorURL, form.Editing = "/products/"+name, "/products/"+name+"/editor", true
	flows, err := products.FlowNames(r.Context())
	form.FlowNames = flows
	return form, err
}

// productFormFields reads the editor's fields. List items are numbered from 0 in their
// field names (promotion.1.file, flows.0.triggerSelectors.2.values); the first missing
// number ends a list.
func productFormFields(r *http.Request) views.ProductForm {
	_ = r.ParseForm() // a malformed body reads as empty fields, which validation reports
	has := func(key string) bool { _, ok := r.Form[key]; return ok }
	f := views.ProductForm{Name: r.FormValue("name"), Tags: r.FormValue("tags"), Description: r.FormValue("description"),
		VersionFile: r.FormValue("versionSource.file"), VersionPath: r.FormValue("versionSource.jsonPath"),
		Concurrency: r.FormValue("concurrency"), QueueLimit: r.FormValue("queueLimit")}
	for i := 0; has(fmt.Sprintf("promotion.%d.file", i)); i++ {
		f.Entries = append(f.Entries, views.EntryForm{File: r.FormValue(fmt.Sprintf("promotion.%d.file", i)),
			JSONPaths: r.FormValue(fmt.Sprintf("promotion.%d.jsonPaths", i))})
	}
	for i := 0; has(fmt.Sprintf("flows.%d.flow", i)); i++ {
		fl := views.FlowForm{Flow: r.FormValue(fmt.Sprintf("flows.%d.flow", i))}
		for j := 0; ; j++ {
			prefix := fmt.Sprintf("flows.%d.triggerSelectors.%d.", i, j)
			if !has(prefix + "key") {
				break
			}
			fl.Selectors = append(fl.Selectors, views.SelectorForm{Key: r.FormValue(prefix + "key"),
				Operator: r.FormValue(prefix + "operator"), Values: r.FormValue(prefix + "values")})
		}
		f.Flows = append(f.Flows, fl)
	}
	return f
}

// applyEdit performs one list edit named like entry:add, entry:remove:1, flow:up:0,
// selector:add:0 or selector:remove:0:2.
func applyEdit(f *views.ProductForm, op string) error {
	parts := strings.Split(op, ":")
	idx := make([]int, 0, 2)
	for _, p := range parts[min(2, len(parts)):] {
		n, err := strconv.Atoi(p)
		if err != nil {
			return fault.FieldErrors{"op": "unknown edit " + op}
		}
		idx = append(idx, n)
	}
	verb := ""
	if len(parts) > 1 {
		verb = parts[1]
	}
	var ok bool
	switch parts[0] {
	case "entry":
		f.Entries, ok = editList(f.Entries, verb, idx, views.EntryForm{})
	case "flow":
		f.Flows, ok = editList(f.Flows, verb, idx, views.FlowForm{})
	case "selector":
		if len(idx) > 0 && idx[0] >= 0 && idx[0] < len(f.Flows) {
			fl := &f.Flows[idx[0]]
			fl.Selectors, ok = editList(fl.Selectors, verb, idx[1:],
				views.SelectorForm{Key: product.KeyCommitMessage, Operator: product.OperatorIn})
		}
	}
	if !ok {
		return fault.FieldErrors{"op": "unknown edit " + op}
	}
	return nil
}

// editList adds blank at the end, or removes or moves the item at idx[0].
func editList[T any](list []T, verb string, idx []int, blank T) ([]T, bool) {
	if verb == "add" && len(idx) == 0 {
		return append(list, blank), true
	}
	if len(idx) != 1 || idx[0] < 0 || idx[0] >= len(list) {
		return list, false
	}
	i := idx[0]
	switch verb {
	case "remove":
		return slices.Delete(list, i, i+1), true
	case "up", "down":
		j := i - 1
		if verb == "down" {
			j = i + 1
		}
		if j >= 0 && j < len(list) {
			list[i], list[j] = list[j], list[i]
		}
		return list, true
	}
	return list, false
}
