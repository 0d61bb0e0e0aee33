package promotion

import (
	"context"
	"errors"
	"strings"

	"ladder/internal/fault"
	"ladder/internal/pin"
	"ladder/internal/release"
)

// RollbackRequest asks to promote the values release ReleaseID stored to Environment again,
// and, with Pin, to pin the product there at that version (PinReason says why).
type RollbackRequest struct {
	ReleaseID   string
	Environment string
	Pin         bool
	PinReason   string
}

// Rollback starts a release that promotes the values release req.ReleaseID stored to
// req.Environment, and pins the product there when req.Pin asks for it. A roll back needs no
// confirmation of a pin in its environment: it is the deliberate choice of a version.
func (s *Service) Rollback(ctx context.Context, who Actor, req RollbackRequest) (release.Release, error) {
	env := req.Environment
	if env != "" {
		var sc Scope
		if old, err := s.releases.Get(ctx, req.ReleaseID); err == nil {
			sc.Product = old.Product
		}
		if err := s.authorize(ctx, who, ActRollback, sc, []string{env}); err != nil && !errors.Is(err, fault.ErrNotFound) {
			return release.Release{}, err
		}
	}
	spec, err := s.plan.RollbackSpec(ctx, s.releases, req.ReleaseID, env, who.Name())
	if err != nil {
		return release.Release{}, err
	}
	in := pin.Input{Product: spec.Product, Environment: env, Version: spec.Version, Reason: strings.TrimSpace(req.PinReason), By: who.Name()}
	if req.Pin {
		if s.pins == nil {
			return release.Release{}, fault.FieldErrors{"pin": "pins are not available"}
		}
		if err := s.pins.Check(in); err != nil {
			return release.Release{}, err
		}
		if err := s.authorize(ctx, who, ActPin, Scope{Product: spec.Product}, targetsOf(spec)); err != nil {
			return release.Release{}, err
		}
	}
	rel, err := s.start(ctx, who, ActRollback, spec)
	if err != nil || !req.Pin {
		return rel, err
	}
	in.ReleaseID = rel.ID
	_, err = s.pins.Set(ctx, in)
	return rel, err
}

// Unpin removes the pin of product in env for who, who must be allowed to promote there.
func (s *Service) Unpin(ctx context.Context, who Actor, product, env string) (pin.Pin, error) {
	if err := s.authorize(ctx, who, ActUnpin, Scope{Product: product}, []string{env}); err != nil {
		return pin.Pin{}, err
	}
	if s.pins == nil {
		return pin.Pin{}, fault.ErrNotFound
	}
	return s.pins.Remove(ctx, product, env, who.Name())
}

// PinsFor returns the pins in the environments req would promote into (the single promotion's
// target, or every step of the flow), for dialogs that ask to confirm them.
func (s *Service) PinsFor(ctx context.Context, req Request) ([]pin.Pin, error) {
	if s.pins == nil || req.Product == "" {
		return nil, nil
	}
	targets, err := s.requestTargets(ctx, req)
	if err != nil {
		return nil, nil // planning reports it
	}
	return s.pinsIn(ctx, req.Product, targets)
}

func (s *Service) pinsIn(ctx context.Context, product string, envs []string) ([]pin.Pin, error) {
	var out []pin.Pin
	for _, env := range envs {
		p, ok, err := s.pins.Find(ctx, product, env)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, p)
		}
	}
	return out, nil
}

// confirmPins refuses a person's release into pinned environments unless they confirmed it:
// a field error on confirmPin naming every pin. The trigger's releases start and wait at the
// pin instead (the runner holds them there).
func (s *Service) confirmPins(ctx context.Context, who Actor, spec release.Spec, confirmed bool) error {
	if who.Automatic || confirmed || s.pins == nil {
		return nil
	}
	pins, err := s.pinsIn(ctx, spec.Product, targetsOf(spec))
	if err != nil || len(pins) == 0 {
		return err
	}
	return fault.FieldErrors{"confirmPin": PinNotice(pins) + ": confirm to promote anyway"}
}

// PinNotice says which environments are pinned: "prod is pinned at 1.3.1 by ann (reason)".
func PinNotice(pins []pin.Pin) string {
	var s []string
	for _, p := range pins {
		s = append(s, p.Summary())
	}
	return strings.Join(s, "; ")
}
