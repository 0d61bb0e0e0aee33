package web

import (
	"context"
	"net/http"
	"time"

	"ladder/internal/application"
	"ladder/internal/credential"
	"ladder/internal/environment"
	"ladder/internal/flow"
	"ladder/internal/freeze"
	"ladder/internal/model"
	"ladder/internal/policy"
	"ladder/internal/product"
	"ladder/internal/workflow"
)

// The JSON of the model's entities: the name, the spec with the same fields as the YAML
// documents, and read-only timestamps (ignored when sent).

// environmentJSON is an environment; position and the freeze are read-only here (reorder and
// freeze have their own pages).
type environmentJSON struct {
	Name string `json:"name"`
	model.EnvironmentSpec
	Frozen       bool       `json:"frozen" openapi:"readOnly"`
	FreezeReason string     `json:"freezeReason,omitempty" openapi:"readOnly"`
	FrozenUntil  *time.Time `json:"frozenUntil,omitempty" openapi:"readOnly"`
	CreatedAt    time.Time  `json:"createdAt" openapi:"readOnly"`
	UpdatedAt    time.Time  `json:"updatedAt" openapi:"readOnly"`
}

// applicationJSON is an application; its environment is part of the spec.
type applicationJSON struct {
	Name string `json:"name"`
	model.ApplicationSpec
	CreatedAt time.Time `json:"createdAt" openapi:"readOnly"`
	UpdatedAt time.Time `json:"updatedAt" openapi:"readOnly"`
}

// productJSON is a product with its promotion settings.
type productJSON struct {
	Name string `json:"name"`
	model.ProductSpec
	CreatedAt time.Time `json:"createdAt" openapi:"readOnly"`
	UpdatedAt time.Time `json:"updatedAt" openapi:"readOnly"`
}

// workflowJSON is a promotion workflow.
type workflowJSON struct {
	Name string `json:"name"`
	model.WorkflowSpec
	CreatedAt time.Time `json:"createdAt" openapi:"readOnly"`
	UpdatedAt time.Time `json:"updatedAt" openapi:"readOnly"`
}

// policyJSON is a promotion policy.
type policyJSON struct {
	Name string `json:"name"`
	model.PolicySpec
	CreatedAt time.Time `json:"createdAt" openapi:"readOnly"`
	UpdatedAt time.Time `json:"updatedAt" openapi:"readOnly"`
}

// flowJSON is a promotion flow.
type flowJSON struct {
	Name string `json:"name"`
	model.FlowSpec
	CreatedAt time.Time `json:"createdAt" openapi:"readOnly"`
	UpdatedAt time.Time `json:"updatedAt" openapi:"readOnly"`
}

// windowJSON is a freeze window; current and next are the occurrences holding now and
// starting next (read-only).
type windowJSON struct {
	Name string `json:"name"`
	model.FreezeWindowSpec
	Current   *occurrenceJSON `json:"current,omitempty" openapi:"readOnly"`
	Next      *occurrenceJSON `json:"next,omitempty" openapi:"readOnly"`
	CreatedAt time.Time       `json:"createdAt" openapi:"readOnly"`
	UpdatedAt time.Time       `json:"updatedAt" openapi:"readOnly"`
}

// occurrenceJSON is one span of time a freeze window holds.
type occurrenceJSON struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// credentialJSON is a Git credential as the API shows it: never its secret.
type credentialJSON struct {
	Name       string    `json:"name"`
	URLPrefix  string    `json:"urlPrefix"`
	Kind       string    `json:"kind"`
	Username   string    `json:"username,omitempty"`
	KnownHosts string    `json:"knownHosts,omitempty"`
	CreatedAt  time.Time `json:"createdAt" openapi:"readOnly"`
	UpdatedAt  time.Time `json:"updatedAt" openapi:"readOnly"`
}

// credentialInputJSON is what a caller sends to create or change a Git credential. An empty
// token or private key on update keeps the stored one.
type credentialInputJSON struct {
	Name       string `json:"name"`
	URLPrefix  string `json:"urlPrefix"`
	Kind       string `json:"kind"`
	Username   string `json:"username,omitempty"`
	Token      string `json:"token,omitempty"`
	PrivateKey string `json:"privateKey,omitempty"`
	KnownHosts string `json:"knownHosts,omitempty"`
}

func environmentOut(e environment.Environment) environmentJSON {
	return environmentJSON{Name: e.Name, EnvironmentSpec: model.EnvironmentSpecOf(e, int(e.Position)), Frozen: e.Frozen,
		FreezeReason: e.FreezeReason, FrozenUntil: e.FrozenUntil, CreatedAt: e.CreatedAt, UpdatedAt: e.UpdatedAt}
}

func applicationOut(a application.Application) applicationJSON {
	return applicationJSON{a.Name, model.ApplicationSpecOf(a), a.CreatedAt, a.UpdatedAt}
}

func productOut(p product.Product) productJSON {
	return productJSON{p.Name, model.ProductSpecOf(p), p.CreatedAt, p.UpdatedAt}
}

func workflowOut(w workflow.Workflow) workflowJSON {
	return workflowJSON{w.Name, model.WorkflowSpecOf(w), w.CreatedAt, w.UpdatedAt}
}

func workflowsOut(ws []workflow.Workflow) []workflowJSON {
	out := make([]workflowJSON, 0, len(ws))
	for _, w := range ws {
		out = append(out, workflowOut(w))
	}
	return out
}

func policyOut(p policy.Policy) policyJSON {
	return policyJSON{p.Name, model.PolicySpecOf(p), p.CreatedAt, p.UpdatedAt}
}

func flowOut(f flow.Flow) flowJSON {
	return flowJSON{f.Name, model.FlowSpecOf(f), f.CreatedAt, f.UpdatedAt}
}

func credentialOut(c credential.Credential) credentialJSON {
	return credentialJSON{c.Name, c.URLPrefix, c.Kind, c.Username, c.KnownHosts, c.CreatedAt, c.UpdatedAt}
}

func (c credentialInputJSON) input() credential.Input {
	return credential.Input{Name: c.Name, URLPrefix: c.URLPrefix, Kind: c.Kind, Username: c.Username,
		Token: c.Token, PrivateKey: c.PrivateKey, KnownHosts: c.KnownHosts}
}

// apiList answers a list of everything list returns, shaped by out.
func apiList[T, J any](list func(context.Context) ([]T, error), out func(T) J) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		items, err := list(r.Context())
		if err != nil {
			return err
		}
		body := make([]J, 0, len(items))
		for _, it := range items {
			body = append(body, out(it))
		}
		return writeJSON(w, http.StatusOK, body)
	}
}

// apiGet answers the one entity get finds from the request's path.
func apiGet[T, J any](get func(*http.Request) (T, error), out func(T) J) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		it, err := get(r)
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, out(it))
	}
}

// apiSave reads a JSON body B, lets save create or change the entity, and answers it with
// status (201 for a create, 200 for an update).
func apiSave[B, T, J any](status int, save func(*http.Request, B) (T, error), out func(T) J) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		var body B
		if err := readJSON(r, &body); err != nil {
			return err
		}
		it, err := save(r, body)
		if err != nil {
			return err
		}
		return writeJSON(w, status, out(it))
	}
}

// apiDelete deletes what the path names and answers 204.
func apiDelete(del func(*http.Request) error) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := del(r); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
}

// nameOr is the name a body gives, or the one in the path when the body gives none (an
// update that does not rename).
func nameOr(body string, r *http.Request) string {
	if body != "" {
		return body
	}
	return r.PathValue("name")
}

// windowOutAt shows a window as the API does, with its occurrences around the time the clock
// now gives.
func windowOutAt(now func() time.Time) func(freeze.Window) windowJSON {
	return func(w freeze.Window) windowJSON { return windowOut(w, now()) }
}

func windowOut(w freeze.Window, now time.Time) windowJSON {
	out := windowJSON{Name: w.Name, FreezeWindowSpec: model.FreezeWindowSpecOf(w), CreatedAt: w.CreatedAt, UpdatedAt: w.UpdatedAt}
	if o, ok := w.At(now); ok {
		out.Current = &occurrenceJSON{o.Start.UTC(), o.End.UTC()}
	}
	if o, ok := w.Next(now); ok {
		out.Next = &occurrenceJSON{o.Start.UTC(), o.End.UTC()}
	}
	return out
}
