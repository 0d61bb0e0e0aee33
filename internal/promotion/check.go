package promotion

import (
	"context"
	"fmt"
	"strings"

	"ladder/internal/fault"
	"ladder/internal/policy"
)

// StepProblem is why one step of a flow cannot run for a product: its settings resolve to no
// action, its environment is gone, or the product has no application there. As an error it
// is a fault.ErrConflict.
type StepProblem struct {
	Product     string
	Flow        string
	Environment string
	Problems    []string
	// NoApplication: the product has no application in the environment (the other problems
	// are about the step's settings).
	NoApplication bool
}

func (e *StepProblem) Error() string {
	return fmt.Sprintf("flow %s, environment %s: %s", e.Flow, e.Environment, strings.Join(e.Problems, "; "))
}

// Sentence says what stops the step, for a person: "Step prod: no action is set."
func (e *StepProblem) Sentence() string {
	return "Step " + e.Environment + ": " + strings.Join(e.Problems, "; ") + "."
}

// Fix is the page where the problem is fixed and a link text saying what to do there: the
// applications page, ready to add the product's application in the environment, when one is
// missing; else the flow, whose page shows the step's problem and links the policies.
func (e *StepProblem) Fix() (url, label string) {
	if e.NoApplication {
		return "/applications?product=" + e.Product + "&environment=" + e.Environment + "#application-form",
			"Add an application of " + e.Product + " in " + e.Environment
	}
	return "/flows/" + e.Flow, "Fix step " + e.Environment + " of flow " + e.Flow + " or its policies"
}

// Unwrap makes a StepProblem a conflict with the model as it is.
func (e *StepProblem) Unwrap() error { return fault.ErrConflict }

// Problems reports every step of flow flowName that could not run for product productName, in
// step order; none when the flow can run. It reads the model only, not Git.
func (p *Planner) Problems(ctx context.Context, productName, flowName string) ([]StepProblem, error) {
	prod, err := p.Products.Get(ctx, productName)
	if err != nil {
		return nil, err
	}
	steps, err := p.Flows.Evaluate(ctx, flowName, policy.Product{Name: prod.Name, Tags: prod.Tags})
	if err != nil {
		return nil, err
	}
	apps, err := p.appsByEnvironment(ctx, prod.Name)
	if err != nil {
		return nil, err
	}
	var out []StepProblem
	for _, st := range steps {
		sp := StepProblem{Product: prod.Name, Flow: flowName, Environment: st.Environment, Problems: st.Errors}
		if len(apps[st.Environment]) == 0 {
			sp.NoApplication = true
			sp.Problems = append(sp.Problems, fmt.Sprintf("product %s has no application in environment %s", prod.Name, st.Environment))
		}
		if len(sp.Problems) > 0 {
			out = append(out, sp)
		}
	}
	return out, nil
}
