package web_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"ladder/internal/application"
	"ladder/internal/broker"
	"ladder/internal/credential"
	"ladder/internal/environment"
	"ladder/internal/fault"
	"ladder/internal/flow"
	"ladder/internal/gitops"
	"ladder/internal/policy"
	"ladder/internal/product"
	"ladder/internal/promotion"
	"ladder/internal/release"
	"ladder/internal/secret"
	"ladder/internal/user"
	"ladder/internal/workflow"
)

// scopedRules are the rules of the scoped fixture, as an admin adds them on the Users page.
var scopedRules = []url.Values{
	{"name": {"payments-promote-shop"}, "group": {"payments"}, "permission": {"promote"}, "productNames": {"shop"}},
	{"name": {"payments-approve-shop"}, "group": {"payments"}, "permission": {"approve"}, "productNames": {"shop"}},
	{"name": {"release-triggers-team-a"}, "group": {"release"}, "permission": {"trigger"}, "productTags": {"team-a"}, "flowNames": {"dev-to-prod"}},
	{"name": {"sre-retries-team-a"}, "group": {"sre"}, "permission": {"retry"}, "productTags": {"team-a"}},
}

// newScopedFixture is the action fixture with its environment rules replaced by rules scoped
// to products and flows: shop (tagged team-a) is narrowed, blog is not; both products run the
// flow dev-to-prod, and every promotion to prod waits for an approval.
func newScopedFixture(t *testing.T) actionFixture {
	t.Helper()
	fx := newActionFixture(t)
	for _, name := range []string{"sre-promotes-prod", "sre-approves-prod"} {
		if got := postForm(t, fx.admin, fx.srv.URL+"/rules/"+name+"/delete", nil); got >= 400 {
			t.Fatalf("delete rule %s: got %d", name, got)
		}
	}
	ctx, check := context.Background(), fault.NewValidator()
	envs := environment.NewService(fx.conn, check, time.Now)
	pols := policy.NewService(fx.conn, check, time.Now)
	if _, err := flow.NewService(fx.conn, check, time.Now, envs, pols).Create(ctx, flow.Input{Name: "dev-to-prod",
		TriggerEnvironment: "dev", Steps: []flow.Step{{Environment: "prod", DependsOn: []string{"dev"}}}}); err != nil {
		t.Fatalf("create flow: %v", err)
	}
	prods := product.NewService(fx.conn, check, time.Now)
	shop, err := prods.Get(ctx, "shop")
	if err != nil {
		t.Fatal(err)
	}
	in := product.Input{Name: shop.Name, Tags: []string{"team-a"}, Template: shop.Template, Concurrency: shop.Concurrency,
		QueueLimit: shop.QueueLimit, Flows: []product.FlowRef{{Flow: "dev-to-prod"}}}
	if _, err := prods.Update(ctx, "shop", in); err != nil {
		t.Fatalf("tag shop and attach the flow: %v", err)
	}
	in.Name, in.Tags = "blog", nil
	if _, err := prods.Create(ctx, in); err != nil {
		t.Fatalf("create blog: %v", err)
	}
	for env, version := range map[string]string{"dev": "1.1.0", "prod": "1.0.0"} {
		repo := bareRepoIn(t, filepath.Join(fx.repos, "blog-"+env), map[string]string{"Chart.yaml": "name: blog\nappVersion: " + version + "\n"})
		_, err := application.NewService(fx.conn, check, time.Now).Create(ctx, application.Input{Name: "blog-" + env,
			Environment: env, Product: "blog", RepoURL: repo, Branch: "main", Path: "."})
		if err != nil {
			t.Fatalf("create blog in %s: %v", env, err)
		}
	}
	for _, rule := range scopedRules {
		if got := postForm(t, fx.admin, fx.srv.URL+"/rules", rule); got >= 400 {
			t.Fatalf("create rule %s: got %d", rule.Get("name"), got)
		}
	}
	return fx
}

// waitingOf starts a promotion of product to prod as admin and returns it once its approval
// waits, with the waiting step's ID.
func (fx actionFixture) waitingOf(t *testing.T, product string) (string, int64) {
	t.Helper()
	fx.quiet(t)
	code, body := fx.api(t, fx.admin, "POST", "/releases", `{"product":"`+product+`","from":"dev","to":"prod"}`)
	if code != http.StatusCreated {
		t.Fatalf("start a release of %s as admin: got %d %v", product, code, body)
	}
	id, _ := body["id"].(string)
	var step int64
	fx.until(t, "the approval to wait", func() bool {
		err := fx.conn.QueryRow(`SELECT id FROM step_runs WHERE release_id = ? AND status = 'SUSPENDED'`, id).Scan(&step)
		return err == nil
	})
	return id, step
}

// terminatedOf is a release of product terminated while its approval waited.
func (fx actionFixture) terminatedOf(t *testing.T, product string) string {
	t.Helper()
	id, _ := fx.waitingOf(t, product)
	fx.api(t, fx.admin, "POST", "/releases/"+id+"/terminate", "")
	fx.until(t, "termination", func() bool { return fx.status(t, id) == "TERMINATED" })
	return id
}

// dialog posts form to a dialog's path as c and reads the answer as allowed or refused: the
// dialog shows a refusal in place (422, so that htmx swaps it) as a sentence saying who may
// not do what.
func (fx actionFixture) dialog(t *testing.T, c caller, path string, form url.Values) string {
	t.Helper()
	req, _ := http.NewRequest("POST", fx.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if c.cookie != nil {
		req.AddCookie(c.cookie)
	}
	resp, err := noRedirects.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if msg, ok := textByTestID(string(body), "error-form"); resp.StatusCode == http.StatusUnprocessableEntity && ok && strings.Contains(msg, " may not ") {
		return "refused"
	}
	return decision(t, path, resp.StatusCode, resp.Header.Get("Location"))
}

// fakeEngine stands in for the runner behind a second release actions service on the test
// server's database: it does nothing, so that service's decisions leave no trace.
type fakeEngine struct{}

func (fakeEngine) Start(context.Context, release.Spec) (release.Release, error) {
	return release.Release{ID: "fake"}, nil
}
func (fakeEngine) Terminate(context.Context, string, string) error                      { return nil }
func (fakeEngine) Retry(context.Context, string, string) error                          { return nil }
func (fakeEngine) Decide(context.Context, release.Decision) error                       { return nil }
func (fakeEngine) OverrideFreeze(context.Context, string, string, string, string) error { return nil }

// actionsService is a release actions service on the fixture's database, as the server wires
// it but for the engine.
func (fx actionFixture) actionsService(t *testing.T) (*promotion.Service, *user.Service) {
	t.Helper()
	check, now := fault.NewValidator(), time.Now
	envs := environment.NewService(fx.conn, check, now)
	pols := policy.NewService(fx.conn, check, now)
	box, err := secret.NewBox([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	plan := &promotion.Planner{Products: product.NewService(fx.conn, check, now), Applications: application.NewService(fx.conn, check, now),
		Flows: flow.NewService(fx.conn, check, now, envs, pols), Policies: pols, Environments: envs,
		Credentials: credential.NewService(fx.conn, box, check, now), Git: gitops.NewStore(filepath.Join(t.TempDir(), "git")),
		Workflows: workflow.NewService(fx.conn, check, now)}
	users := user.NewService(fx.conn, check, now, user.GroupRoles{})
	return promotion.NewService(plan, release.NewService(fx.conn, broker.New(), now), fakeEngine{}, users, nil), users
}

// serviceDecision reads a service's answer as allowed or refused.
func serviceDecision(t *testing.T, what string, err error) string {
	t.Helper()
	switch {
	case err == nil:
		return "allowed"
	case errors.Is(err, fault.ErrForbidden):
		return "refused"
	}
	t.Errorf("%s: got %v, want an answer that allows or refuses", what, err)
	return "unclear"
}

// scopedEntry is one door into one release action on a product, for an actor.
type scopedEntry struct {
	action, permission, via string
	take                    func(t *testing.T, fx actionFixture, c scopedActor, product string) string
}

// scopedActor is a caller through the HTTP doors and the same person for the service.
type scopedActor struct {
	caller
	who promotion.Actor
}

func scopedEntries(svc *promotion.Service) []scopedEntry {
	ctx := context.Background()
	single := func(p string) url.Values { return url.Values{"product": {p}, "from": {"dev"}, "to": {"prod"}} }
	page := func(path func(t *testing.T, fx actionFixture, p string) (string, url.Values)) func(*testing.T, actionFixture, scopedActor, string) string {
		return func(t *testing.T, fx actionFixture, c scopedActor, p string) string {
			target, form := path(t, fx, p)
			resp := fx.browser(t, c.caller, target, form)
			return decision(t, target, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	api := func(path func(t *testing.T, fx actionFixture, p string) (string, string)) func(*testing.T, actionFixture, scopedActor, string) string {
		return func(t *testing.T, fx actionFixture, c scopedActor, p string) string {
			target, body := path(t, fx, p)
			code, _ := fx.api(t, c.caller, "POST", target, body)
			return decision(t, target, code, "")
		}
	}
	service := func(act func(t *testing.T, fx actionFixture, who promotion.Actor, p string) error) func(*testing.T, actionFixture, scopedActor, string) string {
		return func(t *testing.T, fx actionFixture, c scopedActor, p string) string {
			return serviceDecision(t, "service", act(t, fx, c.who, p))
		}
	}
	quietly := func(path string, form func(string) url.Values) func(*testing.T, actionFixture, string) (string, url.Values) {
		return func(t *testing.T, fx actionFixture, p string) (string, url.Values) { fx.quiet(t); return path, form(p) }
	}
	decide := func(verb string) func(*testing.T, actionFixture, string) (string, url.Values) {
		return func(t *testing.T, fx actionFixture, p string) (string, url.Values) {
			id, step := fx.waitingOf(t, p)
			return "/releases/" + id + "/" + verb, url.Values{"step": {strconv.FormatInt(step, 10)}, "environment": {"prod"}}
		}
	}
	on := func(make func(*testing.T, actionFixture, string) string, verb string) func(*testing.T, actionFixture, string) (string, url.Values) {
		return func(t *testing.T, fx actionFixture, p string) (string, url.Values) {
			return "/releases/" + make(t, fx, p) + "/" + verb, nil
		}
	}
	onAPI := func(make func(*testing.T, actionFixture, string) string, verb string) func(*testing.T, actionFixture, string) (string, string) {
		return func(t *testing.T, fx actionFixture, p string) (string, string) {
			return "/releases/" + make(t, fx, p) + "/" + verb, ""
		}
	}
	waitingID := func(t *testing.T, fx actionFixture, p string) string { id, _ := fx.waitingOf(t, p); return id }
	terminatedID := func(t *testing.T, fx actionFixture, p string) string { return fx.terminatedOf(t, p) }
	decideBy := func(approve bool) func(*testing.T, actionFixture, promotion.Actor, string) error {
		return func(t *testing.T, fx actionFixture, who promotion.Actor, p string) error {
			id, step := fx.waitingOf(t, p)
			return svc.Decide(ctx, who, promotion.Decision{ReleaseID: id, StepRunID: step, Environment: "prod", Approve: approve})
		}
	}
	return []scopedEntry{
		{"promote", "promote", "start form", page(quietly("/releases", func(p string) url.Values {
			f := single(p)
			f.Set("mode", "promote")
			return f
		}))},
		{"promote", "promote", "promote dialog", page(quietly("/promote", single))},
		{"promote", "promote", "API", api(func(t *testing.T, fx actionFixture, p string) (string, string) {
			fx.quiet(t)
			return "/releases", `{"product":"` + p + `","from":"dev","to":"prod"}`
		})},
		{"promote", "promote", "service", service(func(t *testing.T, fx actionFixture, who promotion.Actor, p string) error {
			_, err := svc.Start(ctx, who, promotion.Request{Product: p, Single: true, From: "dev", To: "prod"})
			return err
		})},
		{"trigger", "trigger", "start form", page(quietly("/releases", func(p string) url.Values {
			return url.Values{"mode": {"flow"}, "product": {p}, "flow": {"dev-to-prod"}}
		}))},
		{"trigger", "trigger", "trigger dialog", func(t *testing.T, fx actionFixture, c scopedActor, p string) string {
			fx.quiet(t)
			return fx.dialog(t, c.caller, "/trigger", url.Values{"product": {p}, "flow": {"dev-to-prod"}})
		}},
		{"trigger", "trigger", "API", api(func(t *testing.T, fx actionFixture, p string) (string, string) {
			fx.quiet(t)
			return "/releases", `{"product":"` + p + `","flow":"dev-to-prod"}`
		})},
		{"trigger", "trigger", "service", service(func(t *testing.T, fx actionFixture, who promotion.Actor, p string) error {
			_, err := svc.Start(ctx, who, promotion.Request{Product: p, Flow: "dev-to-prod"})
			return err
		})},
		{"approve", "approve", "release page", page(decide("approve"))},
		{"approve", "approve", "API", api(onAPI(waitingID, "approve"))},
		{"approve", "approve", "service", service(decideBy(true))},
		{"reject", "approve", "release page", page(decide("reject"))},
		{"reject", "approve", "API", api(onAPI(waitingID, "reject"))},
		{"reject", "approve", "service", service(decideBy(false))},
		{"retry", "retry", "release page", page(on(terminatedID, "retry"))},
		{"retry", "retry", "API", api(onAPI(terminatedID, "retry"))},
		{"retry", "retry", "service", service(func(t *testing.T, fx actionFixture, who promotion.Actor, p string) error {
			return svc.Retry(ctx, who, fx.terminatedOf(t, p))
		})},
		{"terminate", "promote", "release page", page(on(waitingID, "terminate"))},
		{"terminate", "promote", "API", api(onAPI(waitingID, "terminate"))},
		{"terminate", "promote", "service", service(func(t *testing.T, fx actionFixture, who promotion.Actor, p string) error {
			id, _ := fx.waitingOf(t, p)
			return svc.Terminate(ctx, who, id)
		})},
	}
}

// TestScopedRulesDecideAlike: rules scoped to a product (by name or by tag) and to a flow
// decide every release action — promote, trigger, approve, reject, retry, terminate — the same
// through the page forms, the JSON API and the release actions service, and the rules'
// Evaluate page gives the same answer; blog, which no rule selects, stays open to every
// promoter.
func TestScopedRulesDecideAlike(t *testing.T) {
	fx := newScopedFixture(t)
	svc, users := fx.actionsService(t)
	person := func(name string, groups ...string) scopedActor {
		c := caller{name: name, cookie: fx.srv.ssoSession(t, name, append([]string{"deployers"}, groups...)...)}
		u, err := users.GetByName(context.Background(), name)
		if err != nil {
			t.Fatalf("user %s: %v", name, err)
		}
		return scopedActor{caller: c, who: promotion.Person(u)}
	}
	token := scopedActor{caller: caller{name: "promoter token", bearer: fx.promoterToken(t)},
		who: promotion.Person(user.User{Name: "token:ci", GroupRole: user.Promoter})}
	all := map[string]string{"promote": "allowed", "trigger": "allowed", "approve": "allowed", "reject": "allowed", "retry": "allowed", "terminate": "allowed"}
	none := map[string]string{"promote": "refused", "trigger": "refused", "approve": "refused", "reject": "refused", "retry": "refused", "terminate": "refused"}
	actors := []struct {
		who  scopedActor
		shop map[string]string // blog: always allowed
	}{
		{person("ana", "payments", "release", "sre"), all},
		{person("pat"), none},
		{person("paula", "payments"), map[string]string{"promote": "allowed", "trigger": "refused", "approve": "allowed",
			"reject": "allowed", "retry": "refused", "terminate": "allowed"}},
		{token, none},
	}
	for _, e := range scopedEntries(svc) {
		for _, a := range actors {
			for _, p := range []string{"shop", "blog"} {
				if a.who.bearer != "" && e.via != "API" && e.via != "service" {
					continue // tokens call the API
				}
				want := "allowed"
				if p == "shop" {
					want = a.shop[e.action]
				}
				before := fx.releases(t)
				if got := e.take(t, fx, a.who, p); got != want {
					t.Errorf("%s %s through the %s as %s: %s, want %s", e.action, p, e.via, a.who.name, got, want)
				}
				if want == "refused" && (e.action == "promote" || e.action == "trigger") && fx.releases(t) != before {
					t.Errorf("%s %s through the %s as %s was refused but made a release", e.action, p, e.via, a.who.name)
				}
				if a.who.bearer == "" {
					if got := fx.evaluated(t, a.who.name, e.permission, p); got != map[string]string{"allowed": "allowed", "refused": "denied"}[want] {
						t.Errorf("the Evaluate page on %s %s as %s: %s, want it to agree with %s", e.permission, p, a.who.name, got, want)
					}
				}
			}
		}
	}
	pat := actors[1].who
	fx.quiet(t)
	if code, body := fx.api(t, pat.caller, "POST", "/releases", `{"product":"shop","from":"dev","to":"prod"}`); code != http.StatusForbidden ||
		!strings.Contains(toJSON(body), "pat may not promote shop to prod (rule payments-promote-shop)") {
		t.Errorf("the API's refusal: got %d %v, want 403 naming the rule", code, body)
	}
	page := pat.do(t, "GET", fx.srv.URL+"/promote?product=shop&from=dev&to=prod", nil)
	if page.StatusCode != http.StatusForbidden {
		t.Errorf("the promote dialog for shop: got %d, want 403", page.StatusCode)
	}
}
