package app

import (
	"context"
	"time"

	"ladder/internal/credential"
	"ladder/internal/environment"
	"ladder/internal/gitops"
	"ladder/internal/pin"
	"ladder/internal/product"
)

// runnerModel answers the runner's questions from the domain services.
type runnerModel struct {
	envs     *environment.Service
	products *product.Service
	creds    *credential.Service
	pins     *pin.Service
	now      func() time.Time
}

// Credentials returns the credentials of the longest matching URL prefix.
func (m runnerModel) Credentials(ctx context.Context, repoURL string) (gitops.Credentials, error) {
	remote, err := m.creds.Remote(ctx, repoURL)
	return remote.Credentials, err
}

// Freeze returns the environment's freeze sentence while it is frozen.
func (m runnerModel) Freeze(ctx context.Context, env string) (string, error) {
	e, err := m.envs.Get(ctx, env)
	if err != nil || !e.FrozenAt(m.now()) {
		return "", err
	}
	return e.Blocker(), nil
}

// Concurrency returns the product's concurrency mode and queue limit.
func (m runnerModel) Concurrency(ctx context.Context, name string) (string, int, error) {
	return m.products.Concurrency(ctx, name)
}

// Pin returns the pin of product in env, if there is one.
func (m runnerModel) Pin(ctx context.Context, product, env string) (pin.Pin, bool, error) {
	return m.pins.Find(ctx, product, env)
}
