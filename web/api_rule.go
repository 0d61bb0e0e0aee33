package web

import (
	"net/http"
	"strings"
	"time"

	"ladder/internal/model"
	"ladder/internal/user"
	"ladder/views"
)

// ruleJSON is an access rule: only members of group hold permission on the environments,
// products and flows it selects.
type ruleJSON struct {
	Name string `json:"name"`
	model.AccessRuleSpec
	CreatedAt time.Time `json:"createdAt" openapi:"readOnly"`
	UpdatedAt time.Time `json:"updatedAt" openapi:"readOnly"`
}

func ruleOut(r user.Rule) ruleJSON {
	return ruleJSON{r.Name, model.AccessRuleSpecOf(r), r.CreatedAt, r.UpdatedAt}
}

// saveRule creates a rule from the body b, or changes the rule the path names (update).
func saveRule(users *user.Service, update bool) func(*http.Request, ruleJSON) (user.Rule, error) {
	return func(r *http.Request, b ruleJSON) (user.Rule, error) {
		var rule user.Rule
		var err error
		if !update {
			rule, err = users.CreateRule(r.Context(), b.Input(b.Name))
		} else {
			rule, err = users.UpdateRule(r.Context(), r.PathValue("name"), b.Input(nameOr(b.Name, r)))
		}
		return rule, model.RuleFieldErrors(err)
	}
}

// ruleVerdictJSON answers "may this user (or a promoter in this group, or who) take this
// permission on this product in this environment (and flow)".
type ruleVerdictJSON struct {
	Question string `json:"question"`
	// Who is the user asked about, "a promoter in group G", or "" for nobody in particular
	// (then allowed is whether every promoter may).
	Who     string `json:"who"`
	Allowed bool   `json:"allowed"`
	// Role is set when the role alone decides: admin (always allowed), viewer or disabled.
	Role   string          `json:"role,omitempty"`
	Checks []ruleCheckJSON `json:"checks"`
}

// ruleCheckJSON is how the rules of one permission decide; the permission asked for may need
// more than one (triggering and retrying also need promote).
type ruleCheckJSON struct {
	Permission string `json:"permission"`
	Holds      bool   `json:"holds"`
	// Rules are the rules of permission that select the target; none: every promoter holds it.
	Rules []decidingRuleJSON `json:"rules"`
}

// decidingRuleJSON is one rule that selects the target, and whether it lets the one asked
// about in.
type decidingRuleJSON struct {
	Name    string `json:"name"`
	Group   string `json:"group"`
	Meaning string `json:"meaning"`
	LetsIn  bool   `json:"letsIn"`
}

// apiEvaluateRules answers the rules' Evaluate question from the query, as the page does.
func apiEvaluateRules(c ruleCatalog) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		get := func(k string) string { return strings.TrimSpace(r.URL.Query().Get(k)) }
		q := views.RuleQuestion{User: get("user"), Group: get("group"), Permission: get("permission"), Product: get("product"),
			Environment: get("environment"), Flow: get("flow"), Errors: map[string]string{}}
		a, err := c.answer(r, &q)
		if err != nil {
			return err
		}
		if a == nil {
			return q.Errors
		}
		out := ruleVerdictJSON{Question: a.Question, Who: a.Who, Allowed: a.Verdict.Allowed, Role: a.Verdict.Role, Checks: []ruleCheckJSON{}}
		for _, ch := range a.Verdict.Checks {
			cj := ruleCheckJSON{Permission: string(ch.Permission), Holds: ch.Holds(), Rules: []decidingRuleJSON{}}
			for _, rule := range ch.Selecting {
				cj.Rules = append(cj.Rules, decidingRuleJSON{Name: rule.Name, Group: rule.Group, Meaning: rule.String(),
					LetsIn: a.Who != "" && views.Granting(ch, rule)})
			}
			out.Checks = append(out.Checks, cj)
		}
		return writeJSON(w, http.StatusOK, out)
	}
}
