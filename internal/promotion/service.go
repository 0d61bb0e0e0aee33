// Package promotion is the one door for every release action: starting a release (a flow, a
// single promotion, a roll back, an automatic trigger), terminating it, retrying it, and
// deciding on its approval steps. It takes an actor and a request, plans the release, applies
// the overrides the request asks for, checks in one place whether the actor may do it, and
// hands the release to the runner. The HTML handlers, the promote dialog, the JSON API and the
// trigger only call it.
package promotion

import (
	"context"
	"fmt"

	"ladder/internal/environment"
	"ladder/internal/fault"
	"ladder/internal/pin"
	"ladder/internal/release"
	"ladder/internal/user"
)

// Engine runs releases: the runner in production. It checks no permission; Service does.
type Engine interface {
	// Start stores a new release from spec and sets it going.
	Start(ctx context.Context, spec release.Spec) (release.Release, error)
	// Terminate asks release id to stop, cancelling what it runs.
	Terminate(ctx context.Context, id, by string) error
	// Retry resumes a failed or terminated release from where it stopped.
	Retry(ctx context.Context, id, by string) error
	// Decide records a decision on a waiting approval step.
	Decide(ctx context.Context, d release.Decision) error
	// OverrideFreeze lets release id through the freeze windows of env, recording by and reason.
	OverrideFreeze(ctx context.Context, id, env, by, reason string) error
}

// Service carries out release actions for actors.
type Service struct {
	plan     *Planner
	releases *release.Service
	engine   Engine
	users    *user.Service
	envs     *environment.Service
	pins     *pin.Service
}

// NewService returns the release actions service: plan resolves requests, engine runs the
// releases, users holds the promote and approve rules, pins the pins people confirm and set
// (nil: no pins).
func NewService(plan *Planner, releases *release.Service, engine Engine, users *user.Service, pins *pin.Service) *Service {
	return &Service{plan: plan, releases: releases, engine: engine, users: users, envs: plan.Environments, pins: pins}
}

// Planner is the planner the service resolves requests with (the dashboard reads versions
// through its Git store).
func (s *Service) Planner() *Planner {
	if s == nil {
		return nil
	}
	return s.plan
}

// Actor is who asks for a release action: a person or an API token (a user.User whose name is
// "token:<name>"), or Ladder's automatic trigger.
type Actor struct {
	User      user.User
	Automatic bool
}

// Person is the actor for a signed-in user or an API token.
func Person(u user.User) Actor { return Actor{User: u} }

// Trigger is the actor for releases Ladder starts itself when a change arrives.
func Trigger() Actor { return Actor{User: user.User{Name: TriggerName}, Automatic: true} }

// TriggerName is the initiator automatic releases name.
const TriggerName = release.AutoInitiator

// Name is how releases, events and the audit log name the actor.
func (a Actor) Name() string { return a.User.Name }

// Action names a release action, for permission checks and the audit log.
type Action string

// The release actions.
const (
	ActStart     Action = "start"
	ActRollback  Action = "rollback"
	ActTerminate Action = "terminate"
	ActRetry     Action = "retry"
	ActApprove   Action = "approve"
	ActReject    Action = "reject"
	// ActPin pins a product in an environment; ActUnpin removes the pin. Both need the
	// promote rules of the environment.
	ActPin   Action = "pin"
	ActUnpin Action = "unpin"
	// ActLift lifts a binding policy's gate in a manual promotion (admins only).
	ActLift Action = "lift"
	// ActOverrideFreeze lets one release through the freeze windows of an environment
	// (admins, and members of a promote rule's group that selects the environment).
	ActOverrideFreeze Action = "override-freeze"
)

// targetsOf names the target environments of a spec (every environment but the trigger's).
func targetsOf(spec release.Spec) []string {
	var out []string
	for _, e := range spec.Environments {
		if !e.IsTrigger {
			out = append(out, e.Name)
		}
	}
	return out
}

// targetsOfRelease names the target environments of a release.
func targetsOfRelease(rel release.Release) []string {
	var out []string
	for _, e := range rel.Environments {
		if !e.IsTrigger {
			out = append(out, e.Name)
		}
	}
	return out
}

// Terminate stops release id for who.
func (s *Service) Terminate(ctx context.Context, who Actor, id string) error {
	rel, err := s.releases.Get(ctx, id)
	if err != nil {
		return err
	}
	if err := s.authorize(ctx, who, ActTerminate, scopeOf(rel), targetsOfRelease(rel)); err != nil {
		return err
	}
	return s.engine.Terminate(ctx, rel.ID, who.Name())
}

// Retry resumes release id for who.
func (s *Service) Retry(ctx context.Context, who Actor, id string) error {
	rel, err := s.releases.Get(ctx, id)
	if err != nil {
		return err
	}
	if err := s.authorize(ctx, who, ActRetry, scopeOf(rel), targetsOfRelease(rel)); err != nil {
		return err
	}
	return s.engine.Retry(ctx, rel.ID, who.Name())
}

// Decision asks to approve or reject one waiting approval step of a release.
type Decision struct {
	ReleaseID   string
	StepRunID   int64
	Environment string // the step's environment ("" for a release hook's step)
	Approve     bool
	Comment     string
}

// Decide records who's decision d. who must be allowed to approve in the step's environment;
// the runner refuses the release's initiator (unless the step allows self-approval), people
// outside the step's groups, steps that do not wait and second decisions.
func (s *Service) Decide(ctx context.Context, who Actor, d Decision) error {
	rel, err := s.releases.Get(ctx, d.ReleaseID)
	if err != nil {
		return err
	}
	act := ActReject
	if d.Approve {
		act = ActApprove
	}
	var targets []string
	if d.Environment != "" {
		if _, ok := rel.Environment(d.Environment); !ok {
			return fmt.Errorf("environment %q of release %s: %w", d.Environment, rel.ID, fault.ErrNotFound)
		}
		targets = []string{d.Environment}
	}
	if err := s.authorize(ctx, who, act, scopeOf(rel), targets); err != nil {
		return err
	}
	return s.engine.Decide(ctx, release.Decision{ReleaseID: rel.ID, StepRunID: d.StepRunID, Environment: d.Environment,
		User: who.Name(), Groups: who.User.Groups, Approve: d.Approve, Comment: d.Comment})
}
