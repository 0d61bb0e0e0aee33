package promotion

import (
	"context"
	"slices"
	"strings"

	"ladder/internal/fault"
	"ladder/internal/release"
	"ladder/internal/workflow"
)

// Request asks to start a release: a flow run (Product, Flow, optional Commit) or a single
// promotion (Product, From, To) with optional overrides of the policies' settings.
type Request struct {
	Product string
	Flow    string // run this flow of the product
	Commit  string // the flow's trigger commit; empty: the head of the source branch
	Single  bool   // a single promotion, even while From or To is still empty
	From    string // a single promotion from this environment ...
	To      string // ... to this one
	// Overrides of a single promotion. Action: "" keeps the policies' action. PreAction and
	// PostAction: "" keeps the policies' workflow, "-" runs none, a name runs that workflow.
	Action     string
	PreAction  string
	PostAction string
	SourceApp  string // the source environment's application to read from; empty: its first
	// Reason is why an admin lifts a binding policy's setting; it is recorded with the release.
	Reason string
	// ConfirmPins is the person's confirmation that they promote into pinned environments.
	ConfirmPins bool
	// Described tells the trigger commit's message, author and date when the caller knows
	// them already (the trigger read them from Git).
	Described *release.Commit
}

// flow reports whether r runs a flow rather than a single promotion.
func (r Request) flow() bool { return !r.Single && r.From == "" && r.To == "" }

// scope is the product and flow req concerns.
func (r Request) scope() Scope {
	if r.flow() {
		return Scope{Product: r.Product, Flow: r.Flow}
	}
	return Scope{Product: r.Product}
}

// specScope is the product and flow a release started by act from spec concerns: a roll back
// is a single promotion, whatever flow made the release it rolls back to.
func specScope(act Action, spec release.Spec) Scope {
	if act == ActRollback {
		return Scope{Product: spec.Product}
	}
	return Scope{Product: spec.Product, Flow: spec.Flow}
}

// check reports what is missing or contradictory in r, next to its field.
func (r Request) check() error {
	fe := fault.FieldErrors{}
	if strings.TrimSpace(r.Product) == "" {
		fe.Add("product", "is required")
	}
	switch {
	case r.Flow != "" && !r.flow():
		fe.Add("flow", "give either a flow, or from and to, not both")
	case r.flow() && r.Flow == "":
		fe.Add("flow", "give a flow to run, or from and to for a single promotion")
	case !r.flow():
		if r.From == "" {
			fe.Add("from", "is required")
		}
		if r.To == "" {
			fe.Add("to", "is required")
		}
	}
	return fe.Err()
}

// Plan resolves req into the release it would start for who, with req's overrides applied and
// checked against binding policies; it starts nothing. Problems with the request come back as
// fault.FieldErrors.
func (s *Service) Plan(ctx context.Context, who Actor, req Request) (release.Spec, error) {
	if err := req.check(); err != nil {
		return release.Spec{}, err
	}
	if req.flow() {
		spec, err := s.plan.FlowSpec(ctx, FlowRequest{Product: req.Product, Flow: req.Flow, Commit: strings.TrimSpace(req.Commit),
			SourceApp: req.SourceApp, Initiator: who.Name()})
		if d := req.Described; d != nil && err == nil {
			spec.Trigger.Message, spec.Trigger.Author, spec.Trigger.Date = d.Message, d.Author, d.Date
		}
		return spec, err
	}
	if err := s.checkWorkflows(ctx, req); err != nil {
		return release.Spec{}, err
	}
	spec, err := s.plan.PromotionSpec(ctx, PromotionRequest{Product: req.Product, From: req.From, To: req.To,
		Action: req.Action, SourceApp: req.SourceApp, Initiator: who.Name()})
	if err != nil {
		return spec, err
	}
	if err := s.holdGates(ctx, who, &spec, req); err != nil {
		return release.Spec{}, err
	}
	return spec, s.override(ctx, who, &spec, req)
}

// checkWorkflows refuses pre- and post-action overrides that name no workflow.
func (s *Service) checkWorkflows(ctx context.Context, req Request) error {
	if s.plan.Workflows == nil || (req.PreAction == "" || req.PreAction == "-") && (req.PostAction == "" || req.PostAction == "-") {
		return nil
	}
	wfs, err := s.plan.Workflows.List(ctx)
	if err != nil {
		return err
	}
	fe := fault.FieldErrors{}
	for field, v := range map[string]string{"preAction": req.PreAction, "postAction": req.PostAction} {
		if v != "" && v != "-" && !slices.ContainsFunc(wfs, func(w workflow.Workflow) bool { return w.Name == v }) {
			fe.Add(field, "choose one of the workflows")
		}
	}
	return fe.Err()
}

// Start plans req, checks that who may promote into every target environment, and starts the
// release.
func (s *Service) Start(ctx context.Context, who Actor, req Request) (release.Release, error) {
	if err := s.mayAsk(ctx, who, req); err != nil {
		return release.Release{}, err
	}
	spec, err := s.Plan(ctx, who, req)
	if err != nil {
		return release.Release{}, err
	}
	if err := s.confirmPins(ctx, who, spec, req.ConfirmPins); err != nil {
		return release.Release{}, err
	}
	return s.start(ctx, who, ActStart, spec)
}

// mayAsk refuses before anything is planned when who may not promote into the environments
// req names: the single promotion's target, or every step of the flow.
func (s *Service) mayAsk(ctx context.Context, who Actor, req Request) error {
	if req.check() != nil {
		return nil // the request's own errors come first
	}
	targets, err := s.requestTargets(ctx, req)
	if err != nil {
		return nil // planning reports it
	}
	return s.authorize(ctx, who, ActStart, req.scope(), targets)
}

// requestTargets names the environments req would promote into, from the model alone.
func (s *Service) requestTargets(ctx context.Context, req Request) ([]string, error) {
	if !req.flow() {
		return []string{req.To}, nil
	}
	f, err := s.plan.Flows.Get(ctx, req.Flow)
	if err != nil {
		return nil, err
	}
	var targets []string
	for _, st := range f.Steps {
		targets = append(targets, st.Environment)
	}
	return targets, nil
}

func (s *Service) start(ctx context.Context, who Actor, act Action, spec release.Spec) (release.Release, error) {
	if err := s.authorize(ctx, who, act, specScope(act, spec), targetsOf(spec)); err != nil {
		return release.Release{}, err
	}
	spec.Cause = string(act)
	return s.engine.Start(ctx, spec)
}
