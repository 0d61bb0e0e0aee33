package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"ladder/internal/environment"
	"ladder/internal/fault"
	"ladder/internal/flow"
	"ladder/internal/policy"
	"ladder/internal/product"
	"ladder/internal/workflow"
)

// actionFixture is the rule fixture (only group sre may promote to production) with an
// approve rule to match (only sre may approve in production), and a policy that makes every
// promotion to prod wait for one approval, which the initiator may give.
type actionFixture struct {
	ruleFixture
	admin caller
}

func newActionFixture(t *testing.T) actionFixture {
	t.Helper()
	fx := actionFixture{ruleFixture: newRuleFixture(t)}
	fx.admin = caller{name: "admin", cookie: fx.srv.adminSession(t)}
	rule := url.Values{"name": {"sre-approves-prod"}, "group": {"sre"}, "permission": {"approve"}, "kinds": {"production"}}
	if got := postForm(t, fx.admin, fx.srv.URL+"/rules", rule); got >= 400 {
		t.Fatalf("create approve rule: got %d", got)
	}
	ctx, check := context.Background(), fault.NewValidator()
	_, err := workflow.NewService(fx.conn, check, time.Now).Create(ctx, workflow.Input{Name: "gate", Steps: []workflow.Step{{
		Name: "sign-off", Kind: workflow.KindApproval, Approval: &workflow.ApprovalStep{Required: 1, AllowSelfApproval: true}}}})
	if err != nil {
		t.Fatalf("create workflow: %v", err)
	}
	_, err = policy.NewService(fx.conn, check, time.Now).Create(ctx, policy.Input{Name: "prod-gate", Priority: 10,
		Selector: policy.Selector{Environments: policy.EnvironmentSelector{Kinds: []string{"production"}}},
		Settings: policy.Settings{PreAction: "gate"}})
	if err != nil {
		t.Fatalf("create policy: %v", err)
	}
	return fx
}

// api sends a JSON request as c and returns the status and the decoded body.
func (fx actionFixture) api(t *testing.T, c caller, method, path, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, fx.srv.URL+"/api/v1"+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if c.cookie != nil {
		req.AddCookie(c.cookie)
	}
	if c.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+c.bearer)
	}
	resp, err := noRedirects.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

// browser posts form to path as c, as a page's form does, and returns the answer.
func (fx actionFixture) browser(t *testing.T, c caller, path string, form url.Values) *http.Response {
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
	resp.Body.Close()
	return resp
}

// quiet ends every release still under way, so the next one runs at once (the product queues).
func (fx actionFixture) quiet(t *testing.T) {
	t.Helper()
	rows, err := fx.conn.Query(`SELECT id FROM releases WHERE status IN ('QUEUED','RUNNING','SUSPENDED')`)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for rows.Next() {
		var id string
		_ = rows.Scan(&id)
		ids = append(ids, id)
	}
	rows.Close()
	for _, id := range ids {
		fx.api(t, fx.admin, "POST", "/releases/"+id+"/terminate", "")
	}
	fx.until(t, "every release to end", func() bool {
		return count(t, fx.conn, `SELECT COUNT(*) FROM releases WHERE status NOT IN ('SUCCEEDED','FAILED','TERMINATED')`) == 0
	})
}

func (fx actionFixture) until(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// waiting starts a promotion of shop to prod as admin and returns it once its approval waits,
// with the waiting step's ID.
func (fx actionFixture) waiting(t *testing.T) (string, int64) {
	t.Helper()
	fx.quiet(t)
	code, body := fx.api(t, fx.admin, "POST", "/releases", `{"product":"shop","from":"dev","to":"prod"}`)
	if code != http.StatusCreated {
		t.Fatalf("start a release as admin: got %d %v", code, body)
	}
	id, _ := body["id"].(string)
	var step int64
	fx.until(t, "the approval to wait", func() bool {
		err := fx.conn.QueryRow(`SELECT id FROM step_runs WHERE release_id = ? AND status = 'SUSPENDED'`, id).Scan(&step)
		return err == nil
	})
	return id, step
}

// terminated is a release terminated while its approval waited.
func (fx actionFixture) terminated(t *testing.T) string {
	t.Helper()
	id, _ := fx.waiting(t)
	fx.api(t, fx.admin, "POST", "/releases/"+id+"/terminate", "")
	fx.until(t, "termination", func() bool { return fx.status(t, id) == "TERMINATED" })
	return id
}

// succeeded is a release that promoted shop to prod, approved by admin.
func (fx actionFixture) succeeded(t *testing.T) string {
	t.Helper()
	id, step := fx.waiting(t)
	fx.browser(t, fx.admin, "/releases/"+id+"/approve", url.Values{"step": {strconv.FormatInt(step, 10)}, "environment": {"prod"}})
	fx.until(t, "success", func() bool { return fx.status(t, id) == "SUCCEEDED" })
	return id
}

func (fx actionFixture) status(t *testing.T, id string) string {
	t.Helper()
	var s string
	if err := fx.conn.QueryRow(`SELECT status FROM releases WHERE id = ?`, id).Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

// decision reads an answer as allowed or refused; anything else is a failure.
func decision(t *testing.T, what string, code int, location string) string {
	t.Helper()
	switch {
	case code == http.StatusUnauthorized || code == http.StatusForbidden,
		code == http.StatusSeeOther && strings.HasPrefix(location, "/login"):
		return "refused"
	case code == http.StatusOK || code == http.StatusCreated || code == http.StatusNoContent,
		code == http.StatusSeeOther && strings.HasPrefix(location, "/releases/"):
		return "allowed"
	}
	t.Errorf("%s: got %d (%s), want an answer that allows or refuses", what, code, location)
	return "unclear"
}

// entry is one way into one release action: it prepares what the action needs (as admin) and
// then takes it as c, returning the decision.
type entry struct {
	action, via string
	take        func(t *testing.T, fx actionFixture, c caller) string
}

func releaseActionEntries() []entry {
	promote := url.Values{"product": {"shop"}, "from": {"dev"}, "to": {"prod"}}
	form := url.Values{"mode": {"promote"}, "product": {"shop"}, "from": {"dev"}, "to": {"prod"}}
	browse := func(path func(t *testing.T, fx actionFixture) (string, url.Values)) func(*testing.T, actionFixture, caller) string {
		return func(t *testing.T, fx actionFixture, c caller) string {
			p, f := path(t, fx)
			resp := fx.browser(t, c, p, f)
			return decision(t, p, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	api := func(path func(t *testing.T, fx actionFixture) (string, string)) func(*testing.T, actionFixture, caller) string {
		return func(t *testing.T, fx actionFixture, c caller) string {
			p, body := path(t, fx)
			code, _ := fx.api(t, c, "POST", p, body)
			return decision(t, p, code, "")
		}
	}
	decide := func(verb string) func(t *testing.T, fx actionFixture) (string, url.Values) {
		return func(t *testing.T, fx actionFixture) (string, url.Values) {
			id, step := fx.waiting(t)
			return "/releases/" + id + "/" + verb, url.Values{"step": {strconv.FormatInt(step, 10)}, "environment": {"prod"}}
		}
	}
	on := func(make func(*testing.T, actionFixture) string, verb string) func(t *testing.T, fx actionFixture) (string, url.Values) {
		return func(t *testing.T, fx actionFixture) (string, url.Values) {
			return "/releases/" + make(t, fx) + "/" + verb, nil
		}
	}
	onAPI := func(make func(*testing.T, actionFixture) string, verb string) func(t *testing.T, fx actionFixture) (string, string) {
		return func(t *testing.T, fx actionFixture) (string, string) {
			return "/releases/" + make(t, fx) + "/" + verb, ""
		}
	}
	waitingID := func(t *testing.T, fx actionFixture) string { id, _ := fx.waiting(t); return id }
	terminatedID := func(t *testing.T, fx actionFixture) string { return fx.terminated(t) }
	return []entry{
		{"start", "start form", browse(func(t *testing.T, fx actionFixture) (string, url.Values) { fx.quiet(t); return "/releases", form })},
		{"start", "promote dialog", browse(func(t *testing.T, fx actionFixture) (string, url.Values) { fx.quiet(t); return "/promote", promote })},
		{"start", "API", api(func(t *testing.T, fx actionFixture) (string, string) {
			fx.quiet(t)
			return "/releases", `{"product":"shop","from":"dev","to":"prod"}`
		})},
		{"roll back", "release page", browse(func(t *testing.T, fx actionFixture) (string, url.Values) {
			id := fx.succeeded(t)
			fx.quiet(t)
			return "/releases/" + id + "/rollback", url.Values{"environment": {"prod"}}
		})},
		{"terminate", "release page", browse(on(waitingID, "terminate"))},
		{"terminate", "API", api(onAPI(waitingID, "terminate"))},
		{"retry", "release page", browse(on(terminatedID, "retry"))},
		{"retry", "API", api(onAPI(terminatedID, "retry"))},
		{"approve", "release page", browse(decide("approve"))},
		{"approve", "API", api(onAPI(waitingID, "approve"))},
		{"reject", "release page", browse(decide("reject"))},
		{"reject", "API", api(onAPI(waitingID, "reject"))},
	}
}

// TestEveryReleaseActionDecidesAlike drives every release action through every entry point
// (start form, promote dialog, JSON API, release page) as admin, a promoter in the group the
// production rules name, a promoter outside it, a promoter API token, a viewer and a share
// link's visitor, and asserts one decision per actor and action wherever it is asked. The
// automatic trigger's part is TestTriggerActor in internal/promotion.
func TestEveryReleaseActionDecidesAlike(t *testing.T) {
	fx := newActionFixture(t)
	actors := []struct {
		who  caller
		want string
	}{
		{fx.admin, "allowed"},
		{caller{name: "sam (promoter in sre)", cookie: fx.srv.ssoSession(t, "sam", "deployers", "sre")}, "allowed"},
		{caller{name: "pat (promoter outside sre)", cookie: fx.srv.ssoSession(t, "pat", "deployers")}, "refused"},
		{caller{name: "promoter token", bearer: fx.promoterToken(t)}, "refused"},
		{caller{name: "vic (viewer)", cookie: fx.srv.ssoSession(t, "vic")}, "refused"},
		{caller{name: "share link visitor"}, "refused"},
	}
	for _, e := range releaseActionEntries() {
		for _, a := range actors {
			before := fx.releases(t)
			got := e.take(t, fx, a.who)
			if got != a.want {
				t.Errorf("%s through the %s as %s: %s, want %s", e.action, e.via, a.who.name, got, a.want)
			}
			if got == "refused" && e.action == "start" && fx.releases(t) != before {
				t.Errorf("%s through the %s as %s was refused but made a release", e.action, e.via, a.who.name)
			}
		}
	}
	for _, action := range []string{"start", "rollback", "terminate", "retry", "approve", "reject"} {
		if n := count(t, fx.conn, `SELECT COUNT(*) FROM audit_log WHERE entity_kind = 'release' AND action = '`+action+`'`); n == 0 {
			t.Errorf("the audit log has no %s of a release", action)
		}
	}
	if n := count(t, fx.conn, `SELECT COUNT(*) FROM release_events WHERE message LIKE '% rejected step %'`); n == 0 {
		t.Errorf("no release event says a step was rejected")
	}
}

// TestUnknownCommitIsBadInput: a flow started at a commit the source repository does not hold
// is refused with 422 next to the commit, by the API and the trigger dialog (and their dry
// runs), with no release.
func TestUnknownCommitIsBadInput(t *testing.T) {
	fx := newActionFixture(t)
	check := fault.NewValidator()
	envs := environment.NewService(fx.conn, check, time.Now)
	pols := policy.NewService(fx.conn, check, time.Now)
	if _, err := flow.NewService(fx.conn, check, time.Now, envs, pols).Create(context.Background(), flow.Input{Name: "dev-to-prod",
		TriggerEnvironment: "dev", Steps: []flow.Step{{Environment: "prod", DependsOn: []string{"dev"}}}}); err != nil {
		t.Fatalf("create flow: %v", err)
	}
	prods := product.NewService(fx.conn, check, time.Now)
	shop, err := prods.Get(context.Background(), "shop")
	if err != nil {
		t.Fatal(err)
	}
	in := product.Input{Name: shop.Name, Template: shop.Template, Concurrency: shop.Concurrency, QueueLimit: shop.QueueLimit,
		Flows: []product.FlowRef{{Flow: "dev-to-prod"}}}
	if _, err := prods.Update(context.Background(), "shop", in); err != nil {
		t.Fatalf("attach the flow: %v", err)
	}
	const unknown = "0123456789abcdef0123456789abcdef01234567"
	code, body := fx.api(t, fx.admin, "POST", "/releases", `{"product":"shop","flow":"dev-to-prod","commit":"`+unknown+`"}`)
	if code != http.StatusUnprocessableEntity || !strings.Contains(toJSON(body), "commit") {
		t.Errorf("API with an unknown commit: got %d %v, want 422 naming the commit", code, body)
	}
	resp := fx.browser(t, fx.admin, "/trigger", url.Values{"product": {"shop"}, "flow": {"dev-to-prod"}, "commit": {unknown}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("trigger dialog with an unknown commit: got %d, want 422", resp.StatusCode)
	}
	code, body = fx.api(t, fx.admin, "POST", "/releases?dryRun=true", `{"product":"shop","flow":"dev-to-prod","commit":"`+unknown+`"}`)
	if code != http.StatusUnprocessableEntity || !strings.Contains(toJSON(body), "commit") {
		t.Errorf("API dry run with an unknown commit: got %d %v, want 422 naming the commit", code, body)
	}
	dry := fx.admin.do(t, "GET", fx.srv.URL+"/trigger/plan?"+url.Values{"product": {"shop"}, "flow": {"dev-to-prod"}, "commit": {unknown}}.Encode(), nil)
	if dry.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("dry run in the trigger dialog with an unknown commit: got %d, want 422", dry.StatusCode)
	}
	if n := fx.releases(t); n != 0 {
		t.Errorf("releases: got %d, want 0", n)
	}
}

func toJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// TestReleaseListShowsRealEnvironments: the API's release list shows each release's
// environments as the single release does: trigger, dependencies, settings, applications.
func TestReleaseListShowsRealEnvironments(t *testing.T) {
	fx := newActionFixture(t)
	id, _ := fx.waiting(t)
	// The approval step waits a moment before its environment says so: the two reads are
	// compared once the release stands still between them.
	var got, want string
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		_, one := fx.api(t, fx.admin, "GET", "/releases/"+id, "")
		_, list := fx.api(t, fx.admin, "GET", "/releases", "")
		_, again := fx.api(t, fx.admin, "GET", "/releases/"+id, "")
		rels, _ := list["releases"].([]any)
		if len(rels) != 1 {
			t.Fatalf("list: got %d releases, want 1", len(rels))
		}
		got, want = toJSON(rels[0].(map[string]any)["environments"]), toJSON(one["environments"])
		if want == toJSON(again["environments"]) || time.Now().After(deadline) {
			break
		}
	}
	if got != want {
		t.Errorf("environments in the list:\n%s\nwant as GET /releases/{id}:\n%s", got, want)
	}
}
