package app

import (
	"context"

	"ladder/internal/credential"
	"ladder/internal/environment"
	"ladder/internal/freeze"
	"ladder/internal/gitops"
	"ladder/internal/pin"
	"ladder/internal/product"
)

// runnerModel answers the runner's questions from the domain services.
type runnerModel struct {
	envs     *environment.Service
	windows  *freeze.Service
	products *product.Service
	creds    *credential.Service
	pins     *pin.Service
}

// Credentials returns the credentials of the longest matching URL prefix.
func (m runnerModel) Credentials(ctx context.Context, repoURL string) (gitops.Credentials, error) {
	remote, err := m.creds.Remote(ctx, repoURL)
	return remote.Credentials, err
}

// Freeze returns the sentence of the environment's manual freeze, or of the freeze window
// holding it for the product (unless the release overrode the windows there), while it is
// frozen.
func (m runnerModel) Freeze(ctx context.Context, product, env string, windowsOverridden bool) (string, error) {
	e, err := m.envs.Get(ctx, env)
	if err != nil {
		return "", err
	}
	return m.windows.Blocker(ctx, product, e, windowsOverridden)
}

// Concurrency returns the product's concurrency mode and queue limit.
func (m runnerModel) Concurrency(ctx context.Context, name string) (string, int, error) {
	return m.products.Concurrency(ctx, name)
}

// Pin returns the pin of product in env, if there is one.
func (m runnerModel) Pin(ctx context.Context, product, env string) (pin.Pin, bool, error) {
	return m.pins.Find(ctx, product, env)
}
