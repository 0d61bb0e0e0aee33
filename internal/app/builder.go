package app

import (
	"path/filepath"

	"ladder/internal/application"
	"ladder/internal/argocd"
	"ladder/internal/argowf"
	"ladder/internal/credential"
	"ladder/internal/discovery"
	"ladder/internal/gitops"
	"ladder/internal/model"
	"ladder/internal/notify"
	"ladder/internal/product"
	"ladder/internal/provider"
	"ladder/internal/secret"
	"ladder/internal/stepsecret"
	"ladder/web"
)

// modelServices are the model-building services that need more than the database: the secret
// key that seals Git credentials, and the Git engine the product preview reads through.
type modelServices struct {
	apps      *application.Service
	creds     *credential.Service
	products  *product.Service
	previewer *product.Previewer
	git       *gitops.Store
	argo      *argocd.Service
	providers *provider.Service
	argoWF    *argowf.Service
	secrets   *stepsecret.Service
	notify    *notify.Service
	discovery *discovery.Service
}

// newModelServices loads (or generates) the secret key and builds the services on conn.
func newModelServices(cfg Config, b base) (modelServices, error) {
	conn, check, now := b.conn, b.check, b.now
	key, err := secret.LoadKey(cfg.SecretKey, cfg.DataDir)
	if err != nil {
		return modelServices{}, err
	}
	box, err := secret.NewBox(key)
	if err != nil {
		return modelServices{}, err
	}
	m := modelServices{
		apps:     application.NewService(conn, check, now),
		creds:    credential.NewService(conn, box, check, now),
		products: product.NewService(conn, check, now),
		git:      gitops.NewStore(filepath.Join(cfg.DataDir, "git")),
	}
	m.argo, m.providers = argocd.NewService(conn, box, check, now), provider.NewService(conn, box, check, now)
	m.argoWF, m.secrets = argowf.NewService(conn, box, check, now), stepsecret.NewService(conn, box, check, now)
	m.notify = notify.NewService(conn, box, check, now)
	m.discovery = discovery.NewService(conn, m.argo, m.apps, m.products, check, now)
	m.previewer = product.NewPreviewer(m.git, m.creds.Remote)
	return m, nil
}

// withModel adds the model services to svc.
func withModel(svc web.Services, m modelServices) web.Services {
	svc.Applications, svc.Credentials, svc.Products, svc.Previewer = m.apps, m.creds, m.products, m.previewer
	svc.ArgoCD, svc.Providers = m.argo, m.providers
	svc.ArgoWorkflows, svc.StepSecrets, svc.Discovery = m.argoWF, m.secrets, m.discovery
	svc.Notify = m.notify
	model.GuardDeletes(svc.Environments, svc.Flows)
	return svc
}
