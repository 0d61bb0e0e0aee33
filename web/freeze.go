package web

import (
	"net/http"
	"time"

	"ladder/internal/fault"
	"ladder/internal/freeze"
	"ladder/internal/policy"
	"ladder/internal/product"
	"ladder/views"
)

const windowsPath = "/settings/freeze-windows"

func listWindows(windows *freeze.Service, now func() time.Time) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		list, err := windows.List(r.Context())
		if err != nil {
			return err
		}
		return render(w, r, http.StatusOK, views.WindowsPage(layout(r, "Freeze windows", "freeze-windows"),
			views.WindowsView{Windows: list, Now: now(), CanAdmin: canAdmin(r)}))
	}
}

func newWindow(prods *product.Service) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		form := views.WindowForm{Action: windowsPath, Input: freeze.Input{TimeZone: "UTC"}}
		return renderWindowPage(w, r, prods, "New freeze window", form)
	}
}

func createWindow(windows *freeze.Service, prods *product.Service) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		form := views.WindowForm{Action: windowsPath, Input: windowInputFrom(r)}
		win, err := windows.Create(r.Context(), form.Input)
		if fe, ok := fault.Fields(err); ok {
			return renderWindowForm(w, r, prods, form, fe)
		}
		if err != nil {
			return err
		}
		return redirect(w, r, windowsPath+"/"+win.Name)
	}
}

func showWindow(windows *freeze.Service, prods *product.Service) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		win, err := windows.Get(r.Context(), r.PathValue("name"))
		if err != nil {
			return err
		}
		form := views.WindowForm{Action: windowsPath + "/" + win.Name, Input: freeze.InputOf(win), Editing: true}
		return renderWindowPage(w, r, prods, win.Name, form)
	}
}

func updateWindow(windows *freeze.Service, prods *product.Service) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		name := r.PathValue("name")
		form := views.WindowForm{Action: windowsPath + "/" + name, Input: windowInputFrom(r), Editing: true}
		win, err := windows.Update(r.Context(), name, form.Input)
		if fe, ok := fault.Fields(err); ok {
			return renderWindowForm(w, r, prods, form, fe)
		}
		if err != nil {
			return err
		}
		return redirect(w, r, windowsPath+"/"+win.Name)
	}
}

func deleteWindow(windows *freeze.Service) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := windows.Delete(r.Context(), r.PathValue("name")); err != nil {
			return err
		}
		return redirect(w, r, windowsPath)
	}
}

func renderWindowPage(w http.ResponseWriter, r *http.Request, prods *product.Service, title string, form views.WindowForm) error {
	if err := windowFormChoices(r, prods, &form); err != nil {
		return err
	}
	return render(w, r, http.StatusOK, views.WindowPage(layout(r, title, "freeze-windows"), form))
}

// renderWindowForm answers invalid input: the form again, with its errors, and 422.
func renderWindowForm(w http.ResponseWriter, r *http.Request, prods *product.Service, form views.WindowForm, fe fault.FieldErrors) error {
	if err := windowFormChoices(r, prods, &form); err != nil {
		return err
	}
	form.Errors = fe
	return render(w, r, http.StatusUnprocessableEntity, views.WindowFormCard(form))
}

func windowFormChoices(r *http.Request, prods *product.Service, form *views.WindowForm) error {
	form.CanAdmin = canAdmin(r)
	list, err := prods.List(r.Context())
	if err != nil {
		return err
	}
	for _, p := range list {
		form.Products = append(form.Products, p.Name)
	}
	return nil
}

func windowInputFrom(r *http.Request) freeze.Input {
	_ = r.ParseForm() // an unreadable form leaves the fields empty, which the service reports
	return freeze.Input{
		Name: r.PostFormValue("name"), Reason: r.PostFormValue("reason"), TimeZone: r.PostFormValue("timeZone"),
		Schedule: r.PostFormValue("schedule"), Duration: r.PostFormValue("duration"),
		Start: r.PostFormValue("start"), End: r.PostFormValue("end"),
		Environments: policy.EnvironmentSelector{Names: splitList(r.PostFormValue("environmentNames")),
			Kinds: r.PostForm["environmentKinds"], Tags: splitList(r.PostFormValue("environmentTags"))},
		Product: r.PostFormValue("product"),
	}
}
