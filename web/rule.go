package web

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"ladder/internal/environment"
	"ladder/internal/fault"
	"ladder/internal/flow"
	"ladder/internal/product"
	"ladder/internal/promotion"
	"ladder/internal/user"
	"ladder/views"
)

func createRule(users *user.Service, now func() time.Time) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		form, in := ruleForm(r)
		_, err := users.CreateRule(r.Context(), in)
		return ruleSaved(w, r, form, err, func(form views.RuleForm) error {
			return renderUsers(w, r, users, now, http.StatusUnprocessableEntity, form)
		})
	}
}

// editRule shows the form that changes (or renames) the rule called name.
func editRule(users *user.Service) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		rule, err := users.Rule(r.Context(), r.PathValue("name"))
		if err != nil {
			return err
		}
		form := views.RuleForm{Editing: rule.Name, Name: rule.Name, Group: rule.Group, Permission: string(rule.Permission),
			Names: strings.Join(rule.Environments.Names, ", "), ProductNames: strings.Join(rule.Products.Names, ", "),
			ProductTags: strings.Join(rule.Products.Tags, ", "), FlowNames: strings.Join(rule.Flows.Names, ", ")}
		if len(rule.Environments.Kinds) == 1 { // both kinds select every environment, as none does
			form.Kind = rule.Environments.Kinds[0]
		}
		return render(w, r, http.StatusOK, views.RuleEditPage(layout(r, "Rule "+rule.Name, "users"), form))
	}
}

// updateRule saves the edit form of the rule called name.
func updateRule(users *user.Service) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		form, in := ruleForm(r)
		form.Editing = r.PathValue("name")
		_, err := users.UpdateRule(r.Context(), form.Editing, in)
		return ruleSaved(w, r, form, err, func(form views.RuleForm) error {
			return render(w, r, http.StatusUnprocessableEntity, views.RuleEditPage(layout(r, "Rule "+form.Editing, "users"), form))
		})
	}
}

// ruleSaved answers a save of the rule form that ended in err: back to the users page when
// it succeeded; the form with its errors when they are the fields' (the card alone to htmx,
// else page with it).
func ruleSaved(w http.ResponseWriter, r *http.Request, form views.RuleForm, err error, page func(views.RuleForm) error) error {
	if fe, ok := fault.Fields(err); ok {
		form.Errors = fe
		if r.Header.Get("HX-Request") == "true" {
			return render(w, r, http.StatusUnprocessableEntity, views.RuleFormCard(form))
		}
		return page(form)
	}
	if err != nil {
		return err
	}
	return redirect(w, r, "/users")
}

// ruleForm reads the rule form as it was sent and as the rule it asks for.
func ruleForm(r *http.Request) (views.RuleForm, user.RuleInput) {
	form := views.RuleForm{Name: r.FormValue("name"), Group: r.FormValue("group"), Permission: r.FormValue("permission"),
		Names: r.FormValue("names"), Kind: r.FormValue("kinds"), ProductNames: r.FormValue("productNames"),
		ProductTags: r.FormValue("productTags"), FlowNames: r.FormValue("flowNames")}
	in := user.RuleInput{Name: form.Name, Group: form.Group, Permission: form.Permission, Names: environment.ParseTags(form.Names),
		ProductNames: environment.ParseTags(form.ProductNames), ProductTags: environment.ParseTags(form.ProductTags),
		FlowNames: environment.ParseTags(form.FlowNames)}
	if form.Kind != "" {
		in.Kinds = []string{form.Kind}
	}
	return form, in
}

func deleteRule(users *user.Service) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := users.DeleteRule(r.Context(), r.PathValue("name")); err != nil {
			return err
		}
		return redirect(w, r, "/users")
	}
}

// ruleCatalog is what the rules' Evaluate page offers to choose from.
type ruleCatalog struct {
	users    *user.Service
	products *product.Service
	envs     *environment.Service
	flows    *flow.Service
}

// evaluateRules answers "may this user (or a promoter in this group, or who) take this
// permission on this product in this environment (and flow)", with the rules that decide — the
// same user.Decide every release action goes through.
func evaluateRules(c ruleCatalog) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		q, err := c.question(r)
		if err != nil {
			return err
		}
		var answer *views.RuleAnswer
		status := http.StatusOK
		if r.URL.Query().Has("permission") {
			if answer, err = c.answer(r, &q); err != nil {
				return err
			}
			if answer == nil {
				status = http.StatusUnprocessableEntity
			}
		}
		if r.Header.Get("HX-Request") == "true" {
			return render(w, r, status, views.RuleQuestionCard(q, answer))
		}
		return render(w, r, status, views.RuleEvaluatePage(layout(r, "Who may…?", "users"), q, answer))
	}
}

// question reads the form and the choices it offers.
func (c ruleCatalog) question(r *http.Request) (views.RuleQuestion, error) {
	get := func(k string) string { return strings.TrimSpace(r.URL.Query().Get(k)) }
	q := views.RuleQuestion{User: get("user"), Group: get("group"), Permission: get("permission"), Product: get("product"),
		Environment: get("environment"), Flow: get("flow"), Errors: fault.FieldErrors{}}
	if q.Permission == "" {
		q.Permission = string(user.Promote)
	}
	ctx := r.Context()
	users, err := c.users.List(ctx)
	if err != nil {
		return q, err
	}
	for _, u := range users {
		q.Users = append(q.Users, u.Name)
	}
	prods, err := c.products.List(ctx)
	if err != nil {
		return q, err
	}
	for _, p := range prods {
		q.Products = append(q.Products, p.Name)
	}
	envs, err := c.envs.List(ctx)
	if err != nil {
		return q, err
	}
	for _, e := range envs {
		q.Envs = append(q.Envs, e.Name)
	}
	flows, err := c.flows.List(ctx)
	if err != nil {
		return q, err
	}
	for _, f := range flows {
		q.Flows = append(q.Flows, f.Name)
	}
	return q, nil
}

// answer decides q, or leaves errors next to its fields (and answers nil).
func (c ruleCatalog) answer(r *http.Request, q *views.RuleQuestion) (*views.RuleAnswer, error) {
	ctx := r.Context()
	perm := user.Permission(q.Permission)
	if !slices.Contains(user.Permissions, perm) {
		q.Errors.Add("permission", "choose one of promote, approve, trigger, retry")
	}
	if perm == user.Trigger && q.Flow == "" {
		q.Errors.Add("flow", "triggering starts a flow: choose one")
	}
	var who user.User
	name := ""
	switch {
	case q.User != "":
		u, err := c.users.GetByName(ctx, q.User)
		if errors.Is(err, fault.ErrNotFound) {
			q.Errors.Add("user", "there is no user called "+q.User)
		} else if err != nil {
			return nil, err
		}
		who, name = u, u.Name
	case q.Group != "":
		who, name = user.User{GroupRole: user.Promoter, Groups: []string{q.Group}}, "a promoter in group "+q.Group
	default:
		who = user.User{GroupRole: user.Promoter}
	}
	t := user.Target{Environment: q.Environment, Product: q.Product, Flow: q.Flow}
	if q.Product == "" {
		q.Errors.Add("product", "choose a product")
	} else if p, err := c.products.Get(ctx, q.Product); errors.Is(err, fault.ErrNotFound) {
		q.Errors.Add("product", "there is no product called "+q.Product)
	} else if err != nil {
		return nil, err
	} else {
		t.ProductTags = p.Tags
	}
	if q.Environment == "" {
		q.Errors.Add("environment", "choose an environment")
	} else if e, err := c.envs.Get(ctx, q.Environment); errors.Is(err, fault.ErrNotFound) {
		q.Errors.Add("environment", "there is no environment called "+q.Environment)
	} else if err != nil {
		return nil, err
	} else {
		t.Kind = e.Kind
	}
	if len(q.Errors) > 0 {
		return nil, nil
	}
	rules, err := c.users.Rules(ctx)
	if err != nil {
		return nil, err
	}
	return &views.RuleAnswer{Who: name, Question: promotion.Describe(perm, t), Verdict: user.Decide(rules, who, perm, t)}, nil
}
