package web

import (
	"context"
	"net/http"
	"strings"

	"ladder/internal/fault"
	"ladder/views"
)

// sealedService is what the settings pages need of a sealed settings service
// (internal/sealed): Argo CD servers, Argo Workflows servers, Git credentials, Git providers.
type sealedService[V, In any] interface {
	List(ctx context.Context) ([]V, error)
	Get(ctx context.Context, name string) (V, error)
	Create(ctx context.Context, in In) (V, error)
	Update(ctx context.Context, name string, in In) (V, error)
	Delete(ctx context.Context, name string) error
}

// sealedPages are the settings pages of one kind of sealed setting.
type sealedPages[V, In any] struct {
	svc  sealedService[V, In]
	kind views.SealedKind
	nav  string
	item func(V) views.SealedItem
	// blank is the form to add one; edit the form of a stored one.
	blank func() views.SealedForm
	edit  func(V) views.SealedForm
	// read reads the form posted to action: its non-secret values for the view, and the whole
	// input (secrets included) for the service. old is the stored record, nil on create.
	read func(r *http.Request, action string, old *V) (views.SealedForm, In)
	// test checks a record's connection; nil when the kind has no test.
	test func(ctx context.Context, name string) (string, error)
}

func listSealed[V, In any](p sealedPages[V, In]) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		list, err := p.svc.List(r.Context())
		if err != nil {
			return err
		}
		items := make([]views.SealedItem, 0, len(list))
		for _, v := range list {
			items = append(items, p.item(v))
		}
		return render(w, r, http.StatusOK, views.SealedListPage(layout(r, p.kind.Title, p.nav), p.kind, items, p.blank()))
	}
}

func createSealed[V, In any](p sealedPages[V, In]) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		form, in := p.read(r, p.kind.URL, nil)
		_, err := p.svc.Create(r.Context(), in)
		return p.saved(w, r, form, err)
	}
}

func showSealed[V, In any](p sealedPages[V, In]) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		v, err := p.svc.Get(r.Context(), r.PathValue("name"))
		if err != nil {
			return err
		}
		it := p.item(v)
		return render(w, r, http.StatusOK, views.SealedItemPage(layout(r, it.Name, p.nav), p.kind, it, p.edit(v)))
	}
}

func updateSealed[V, In any](p sealedPages[V, In]) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		name := r.PathValue("name")
		old, err := p.svc.Get(r.Context(), name)
		if err != nil {
			return err
		}
		form, in := p.read(r, p.kind.URL+"/"+name, &old)
		_, err = p.svc.Update(r.Context(), name, in)
		return p.saved(w, r, form, err)
	}
}

// saved answers a create or update: the form again with its errors (422), or back to the list.
func (p sealedPages[V, In]) saved(w http.ResponseWriter, r *http.Request, form views.SealedForm, err error) error {
	if fe, ok := fault.Fields(err); ok {
		form.Errors = fe
		return render(w, r, http.StatusUnprocessableEntity, views.SealedFormCard(form))
	}
	if err != nil {
		return err
	}
	name := strings.TrimSpace(r.FormValue("name"))
	if name == "" {
		name = r.PathValue("name")
	}
	return redirectFlash(w, r, p.kind.URL, "Saved "+p.kind.Noun+" "+name)
}

func deleteSealed[V, In any](p sealedPages[V, In]) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := p.svc.Delete(r.Context(), r.PathValue("name")); err != nil {
			return err
		}
		return redirect(w, r, p.kind.URL)
	}
}

// testSealed checks the connection and answers with a fragment saying how it went; a failed
// connection is an answer, not an error.
func testSealed[V, In any](p sealedPages[V, In]) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if _, err := p.svc.Get(r.Context(), r.PathValue("name")); err != nil {
			return err
		}
		msg, err := p.test(r.Context(), r.PathValue("name"))
		if err != nil {
			return render(w, r, http.StatusOK, views.SealedTestResult(p.kind, false, err.Error()))
		}
		return render(w, r, http.StatusOK, views.SealedTestResult(p.kind, true, msg))
	}
}
