package web

import (
	"log/slog"
	"net/http"
	"time"

	"ladder/internal/application"
	"ladder/internal/argocd"
	"ladder/internal/argowf"
	"ladder/internal/audit"
	"ladder/internal/broker"
	"ladder/internal/credential"
	"ladder/internal/delivery"
	"ladder/internal/demo"
	"ladder/internal/discovery"
	"ladder/internal/environment"
	"ladder/internal/flow"
	"ladder/internal/freeze"
	"ladder/internal/metrics"
	"ladder/internal/model"
	"ladder/internal/modelrepo"
	"ladder/internal/notify"
	"ladder/internal/pin"
	"ladder/internal/policy"
	"ladder/internal/product"
	"ladder/internal/promotion"
	"ladder/internal/provider"
	"ladder/internal/release"
	"ladder/internal/runner"
	"ladder/internal/share"
	"ladder/internal/stepsecret"
	"ladder/internal/token"
	"ladder/internal/trigger"
	"ladder/internal/user"
	"ladder/internal/workflow"
	"ladder/static"
)

// Services are the domain services the handlers call.
type Services struct {
	Environments *environment.Service
	Applications *application.Service
	Credentials  *credential.Service
	Products     *product.Service
	Previewer    *product.Previewer
	Workflows    *workflow.Service
	Policies     *policy.Service
	// Windows are the scheduled freeze windows.
	Windows  *freeze.Service
	Flows    *flow.Service
	Users    *user.Service
	Tokens   *token.Service
	Audit    *audit.Log
	Auth     Auth
	Releases *release.Service
	Runner   *runner.Runner
	// Promotions is the one door for every release action (start, roll back, terminate,
	// retry, approve, reject).
	Promotions *promotion.Service
	Broker     *broker.Broker
	Model      *model.Service
	// ModelRepo applies the model from a Git repository whenever it changes.
	ModelRepo *modelrepo.Service
	Notify    *notify.Service
	Demo      *demo.Demo // the seeded demo; nil unless Ladder runs with --demo
	Metrics   *metrics.Metrics
	Shares    *share.Service
	Pins      *pin.Service // products held at a version in an environment
	Delivery  *delivery.Service
	ArgoCD    *argocd.Service
	Discovery *discovery.Service // applications discovered from Argo CD
	// ArgoWorkflows are the Argo Workflows servers argo steps submit to.
	ArgoWorkflows *argowf.Service
	// StepSecrets are the workflow secrets steps refer to by name.
	StepSecrets *stepsecret.Service
	Providers   *provider.Service
	Trigger     *trigger.Trigger // watches trigger applications; push webhooks wake it
	// TriggerFailures are the changes the trigger could not start a release for.
	TriggerFailures *trigger.Failures
	// PollInterval is how often the trigger reads Git, shown on the dashboard.
	PollInterval time.Duration
	// WebhookSecret verifies push webhooks of every provider kind (LADDER_WEBHOOK_SECRET).
	WebhookSecret string
	Closing       <-chan struct{} // closed when the server begins to shut down; ends event streams
	Now           func() time.Time
	// Version rises after every write to the database (db.Version): pages and event renderings
	// made under one version are reused while it holds.
	Version func() uint64
	Ready   func() bool
	// DiskFree is the space left on the disk of the data directory; nil: not known.
	DiskFree func() (uint64, error)
}

// access is who may call a route.
type access int

const (
	public   access = iota + 1 // anyone, signed in or not; the zero value is no decision and refused
	viewer                     // any signed-in user
	promoter                   // promoters and admins
	admin                      // admins only
)

// route is one entry of the routing table.
type route struct {
	pattern string
	access  access
	handler http.Handler
}

// routes is every URL Ladder serves, on one screen. Each route names who may call it.
func routes(log *slog.Logger, s Services) []route {
	h := func(fn handlerFunc) http.Handler { return errorHandler(log, fn) }
	envs, now := s.Environments, s.Now
	cache := newRenderCache(s.Version, now)
	choices := startChoices{products: s.Products, flows: s.Flows, envs: envs, promotions: s.Promotions}
	dash := dashboardModel{envs: envs, windows: s.Windows, products: s.Products, apps: s.Applications, releases: s.Releases,
		versions: newVersionCache(s.Promotions, now), argo: newArgoStatuses(s.ArgoCD, now, func() { s.Broker.Publish("argocd") }), promotions: s.Promotions, failures: s.TriggerFailures, pins: s.Pins,
		pollEvery: s.PollInterval, now: now}
	prom := promotions{svc: s.Promotions, envs: envs, products: s.Products, apps: s.Applications,
		policies: s.Policies, workflows: s.Workflows}
	creds, providers := credentialPages(s.Credentials), providerPages(s.Providers)
	checkFlows := &flowCheck{products: s.Products, planner: s.Promotions.Planner()}
	argoCD, argoWF, secrets := argocdPages(s.ArgoCD), argoWorkflowsPages(s.ArgoWorkflows), stepSecretPages(s.StepSecrets)
	return append([]route{
		{"GET /healthz", public, h(healthz)},
		{"GET /readyz", public, h(readyz(s.Ready, s.DiskFree))},
		{"GET /metrics", viewer, serveMetrics(s.Metrics)},
		{"GET /static/", public, static.Handler()},
		{"GET /demo", viewer, h(showDemo(s.Demo))},
		{"POST /demo/new-version", promoter, h(commitDemoVersion(log, s.Demo))},
		{"GET /demo/healthz", public, h(demoHealthz(s.Demo))},
		{"GET /{$}", viewer, h(showDashboard(dash, cache))},
		{"GET /events", viewer, h(dashboardEvents(log, dash, s.Broker, s.Closing, cache))},
		{"POST /products/{name}/check-git", promoter, h(checkGit(dash, s.Trigger))},
		{"GET /promote", promoter, h(showPromote(prom))},
		{"POST /promote", promoter, h(promote(prom))},
		{"GET /trigger", promoter, h(showTrigger(prom))},
		{"POST /trigger", promoter, h(triggerFlow(prom))},
		{"GET /trigger/plan", promoter, h(planFlow(prom))},

		{"GET /login", public, h(showLogin(s.Auth, s.Users))},
		{"POST /login", public, h(login(s.Auth, s.Users))},
		{"GET /auth/sso", public, h(startSignOn(log, s.Auth, s.Users))},
		{"GET /auth/callback", public, h(finishSignOn(log, s.Auth, s.Users))},
		{"POST /logout", viewer, h(logout(s.Auth))},
		{"GET /account/password", viewer, h(showPassword)},
		{"POST /account/password", viewer, h(changePassword(s.Auth, s.Users))},
		{"GET /account", viewer, h(showAccount(s.Auth, now))},
		{"POST /account/sessions/{id}/end", viewer, h(endSession(s.Auth))},
		{"POST /account/sessions/end-others", viewer, h(endOtherSessions(s.Auth))},
		{"GET /users", admin, h(listUsers(s.Users, now))},
		{"POST /users/{name}/role", admin, h(setUserRole(s.Users))},
		{"POST /users/{name}/disable", admin, h(setUserDisabled(s.Users, true))},
		{"POST /users/{name}/enable", admin, h(setUserDisabled(s.Users, false))},
		{"POST /users/{name}/sign-out", admin, h(signOutEverywhere(s.Auth, s.Users))},
		{"POST /rules", admin, h(createRule(s.Users, now))},
		{"GET /rules/{name}/edit", admin, h(editRule(s.Users))},
		{"POST /rules/{name}", admin, h(updateRule(s.Users))},
		{"POST /rules/{name}/delete", admin, h(deleteRule(s.Users))},
		{"GET /rules/evaluate", admin, h(evaluateRules(ruleCatalog{s.Users, s.Products, s.Environments, s.Flows}))},
		{"GET /tokens", admin, h(listTokens(s.Tokens, now))},
		{"POST /tokens", admin, h(createToken(s.Tokens, now))},
		{"POST /tokens/{id}/revoke", admin, h(revokeToken(s.Tokens, now))},
		{"GET /audit", viewer, h(listAudit(s.Audit, now))},
		{"GET /audit.csv", viewer, h(exportAudit(s.Audit))},

		{"GET /settings", viewer, h(showSettings)},

		{"GET /releases", viewer, h(listReleases(s.Releases, s.TriggerFailures, choices, cache, now))},
		{"GET /releases/events", viewer, h(releasesEvents(log, s.Releases, s.Broker, s.Closing, cache, now))},
		{"POST /releases", promoter, h(startRelease(s.Promotions, choices))},
		{"GET /releases/start", promoter, h(showStartRelease(choices))},
		{"GET /releases/{id}", viewer, h(showRelease(s.Releases, s.Runner, envs, s.Promotions, s.Shares, cache, now))},
		{"GET /releases/{id}/changes", viewer, h(showReleaseChanges(s.Releases, s.Promotions.Planner(), envs))},
		{"GET /releases/{id}/events", viewer, h(releaseEvents(log, s.Releases, s.Runner, envs, s.Promotions, s.Broker, s.Closing, cache, now))},
		{"POST /releases/{id}/rollback", promoter, h(rollbackRelease(s.Promotions))},
		{"POST /products/{name}/pins/{env}/unpin", promoter, h(unpin(s.Promotions))},
		{"POST /releases/{id}/shares", promoter, h(createShare(s.Shares, now))},
		{"POST /shares/{id}/revoke", promoter, h(revokeShare(s.Shares))},
		{"GET /settings/share-links", promoter, h(listShares(s.Shares, now))},
		{"GET /s/{token}", public, h(showShared(s.Shares, s.Releases, envs, now))},
		{"GET /s/{token}/events", public, h(sharedEvents(log, s.Shares, s.Releases, envs, s.Broker, s.Closing, cache, now))},
		{"POST /releases/{id}/terminate", promoter, h(terminateRelease(s.Promotions))},
		{"POST /releases/{id}/retry", promoter, h(retryRelease(s.Promotions))},
		{"POST /releases/{id}/approve", promoter, h(decideStep(s.Promotions, true))},
		{"POST /releases/{id}/override-freeze", promoter, h(overrideFreeze(s.Promotions))},
		{"POST /releases/{id}/reject", promoter, h(decideStep(s.Promotions, false))},
		{"POST /releases/{id}/resume-workflow", promoter, h(resumeWorkflow(s.Runner))},

		{"GET /environments", viewer, h(listEnvironments(envs, s.Windows, now))},
		{"POST /environments", admin, h(createEnvironment(envs, s.Windows, now))},
		{"POST /environments/order", admin, h(reorderEnvironments(envs, s.Windows, now))},
		{"GET /environments/{name}", viewer, h(showEnvironment(envs, now))},
		{"POST /environments/{name}", admin, h(updateEnvironment(envs))},
		{"POST /environments/{name}/delete", admin, h(deleteEnvironment(envs, s.Windows, now))},
		{"POST /environments/{name}/move", admin, h(moveEnvironment(envs, s.Windows, now))},
		{"POST /environments/{name}/freeze", admin, h(freezeEnvironment(envs, now))},
		{"POST /environments/{name}/unfreeze", admin, h(unfreezeEnvironment(envs))},

		{"GET /products", viewer, h(listProducts(s.Products))},
		{"POST /products", admin, h(createProduct(s.Products))},
		{"GET /products/{name}", viewer, h(showProduct(s.Products, s.Applications, s.Promotions.Planner(), s.TriggerFailures, s.Pins, now))},
		{"GET /products/{name}/metrics", viewer, h(showProductMetrics(s.Products, envs, s.Delivery))},
		{"POST /products/{name}", admin, h(updateProduct(s.Products, s.Applications))},
		{"POST /products/{name}/editor", admin, h(editProduct(s.Products, s.Applications))},
		{"POST /products/{name}/delete", admin, h(deleteProduct(s.Products))},
		{"GET /products/{name}/preview", viewer, h(previewProduct(s.Products, s.Applications, s.Previewer))},

		{"GET /applications", viewer, h(listApplications(s.Applications, envs, s.Products))},
		{"POST /applications", admin, h(createApplication(s.Applications, envs, s.Products))},
		{"GET /applications/{env}/{name}", viewer, h(showApplication(s.Applications, envs, s.Products, s.lastGitError))},
		{"POST /applications/{env}/{name}", admin, h(updateApplication(s.Applications, envs, s.Products))},
		{"POST /applications/{env}/{name}/delete", admin, h(deleteApplication(s.Applications))},

		{"GET /settings/git-credentials", viewer, h(listSealed(creds))},
		{"POST /settings/git-credentials", admin, h(createSealed(creds))},
		{"GET /settings/git-credentials/{name}", viewer, h(showSealed(creds))},
		{"POST /settings/git-credentials/{name}", admin, h(updateSealed(creds))},
		{"POST /settings/git-credentials/{name}/delete", admin, h(deleteSealed(creds))},
		{"GET /settings/git-providers", viewer, h(listSealed(providers))},
		{"POST /settings/git-providers", admin, h(createSealed(providers))},
		{"GET /settings/git-providers/{name}", viewer, h(showSealed(providers))},
		{"POST /settings/git-providers/{name}", admin, h(updateSealed(providers))},
		{"POST /settings/git-providers/{name}/delete", admin, h(deleteSealed(providers))},
		{"GET /settings/argocd-servers", viewer, h(listSealed(argoCD))},
		{"POST /settings/argocd-servers", admin, h(createSealed(argoCD))},
		{"GET /settings/argocd-servers/{name}", viewer, h(showSealed(argoCD))},
		{"POST /settings/argocd-servers/{name}", admin, h(updateSealed(argoCD))},
		{"POST /settings/argocd-servers/{name}/delete", admin, h(deleteSealed(argoCD))},
		{"POST /settings/argocd-servers/{name}/test", admin, h(testSealed(argoCD))},
		{"GET /settings/argocd-servers/{name}/discovery", viewer, h(showDiscovery(s.Discovery, s.Applications))},
		{"POST /settings/argocd-servers/{name}/discovery", admin, h(saveDiscovery(s.Discovery, s.Applications))},
		{"POST /settings/argocd-servers/{name}/discovery/rules", admin, h(saveDiscoveryRules(s.Discovery))},
		{"POST /settings/argocd-servers/{name}/discovery/accept", admin, h(acceptDiscovered(s.Discovery, s.Applications))},
		{"POST /settings/argocd-servers/{name}/discovery/products", admin, h(createDiscoveredProduct(s.Discovery, s.Applications))},
		{"POST /settings/argocd-servers/{name}/discovery/refresh", admin, h(refreshDiscovery(s.Discovery))},
		{"GET /settings/argo-workflows-servers", viewer, h(listSealed(argoWF))},
		{"POST /settings/argo-workflows-servers", admin, h(createSealed(argoWF))},
		{"GET /settings/argo-workflows-servers/{name}", viewer, h(showSealed(argoWF))},
		{"POST /settings/argo-workflows-servers/{name}", admin, h(updateSealed(argoWF))},
		{"POST /settings/argo-workflows-servers/{name}/delete", admin, h(deleteSealed(argoWF))},
		{"POST /settings/argo-workflows-servers/{name}/test", admin, h(testSealed(argoWF))},
		{"GET /settings/workflow-secrets", admin, h(listSealed(secrets))},
		{"POST /settings/workflow-secrets", admin, h(createSealed(secrets))},
		{"GET /settings/workflow-secrets/{name}", admin, h(showSealed(secrets))},
		{"POST /settings/workflow-secrets/{name}", admin, h(updateSealed(secrets))},
		{"POST /settings/workflow-secrets/{name}/delete", admin, h(deleteSealed(secrets))},
		{"POST /hooks/github", public, h(receivePush(log, s.Trigger, s.WebhookSecret, "github"))},
		{"POST /hooks/gitlab", public, h(receivePush(log, s.Trigger, s.WebhookSecret, "gitlab"))},
		{"POST /hooks/gitea", public, h(receivePush(log, s.Trigger, s.WebhookSecret, "gitea"))},

		{"GET /workflows", viewer, h(listWorkflows(s.Workflows))},
		{"GET /workflows/new", viewer, h(newWorkflow)},
		{"POST /workflows", admin, h(createWorkflow(s.Workflows))},
		{"GET /workflows/{name}", viewer, h(showWorkflow(s.Workflows))},
		{"POST /workflows/{name}", admin, h(updateWorkflow(s.Workflows))},
		{"POST /workflows/{name}/delete", admin, h(deleteWorkflow(s.Workflows))},
		{"POST /workflows/{name}/steps", admin, h(editWorkflowSteps)},

		{"GET /policies", viewer, h(listPolicies(s.Policies, envs, catalogOf(s.Products)))},
		{"GET /policies/new", viewer, h(newPolicy(s.Workflows))},
		{"GET /policies/evaluate", viewer, h(evaluatePolicies(s.Policies, envs, catalogOf(s.Products)))},
		{"POST /policies", admin, h(createPolicy(s.Policies, s.Workflows))},
		{"GET /policies/{name}", viewer, h(showPolicy(s.Policies, s.Workflows))},
		{"POST /policies/{name}", admin, h(updatePolicy(s.Policies, s.Workflows))},
		{"POST /policies/{name}/delete", admin, h(deletePolicy(s.Policies))},

		{"GET /flows", viewer, h(listFlows(s.Flows))},
		{"GET /flows/new", viewer, h(newFlow(envs, s.Workflows))},
		{"POST /flows", admin, h(createFlow(s.Flows, envs, s.Workflows))},
		{"GET /flows/{name}", viewer, h(showFlow(s.Flows, envs, s.Workflows, catalogOf(s.Products), checkFlows))},
		{"POST /flows/{name}", admin, h(updateFlow(s.Flows, envs, s.Workflows))},
		{"POST /flows/{name}/delete", admin, h(deleteFlow(s.Flows))},
		{"POST /flows/{name}/steps", admin, h(editFlowSteps(envs, s.Workflows))},
		{"GET /flows/{name}/evaluate", viewer, h(evaluateFlow(s.Flows, envs, s.Workflows, catalogOf(s.Products), checkFlows))},

		{"GET /settings/freeze-windows", viewer, h(listWindows(s.Windows, now))},
		{"GET /settings/freeze-windows/new", admin, h(newWindow(s.Products))},
		{"POST /settings/freeze-windows", admin, h(createWindow(s.Windows, s.Products))},
		{"GET /settings/freeze-windows/{name}", viewer, h(showWindow(s.Windows, s.Products))},
		{"POST /settings/freeze-windows/{name}", admin, h(updateWindow(s.Windows, s.Products))},
		{"POST /settings/freeze-windows/{name}/delete", admin, h(deleteWindow(s.Windows))},
		{"GET /settings/notifications", viewer, h(listNotifications(s.Notify, s.Products, now))},
		{"POST /settings/notifications", admin, h(createNotification(s.Notify, s.Products, now))},
		{"POST /settings/notifications/{name}/delete", admin, h(deleteNotification(s.Notify))},
		{"GET /settings/model", viewer, h(showModelIO)},
		{"GET /settings/model/export", viewer, h(apiExportModel(s.Model))},
		{"POST /settings/model", admin, h(applyModelForm(s.Model))},
		{"GET /settings/model-repository", viewer, h(showModelRepo(s.ModelRepo, s.Credentials, s.PollInterval))},
		{"POST /settings/model-repository", admin, h(saveModelRepo(s.ModelRepo, s.Credentials))},
		{"POST /settings/model-repository/check", admin, h(checkModelRepo(s.ModelRepo))},
	}, apiAsRoutes(log, apiRoutes(s))...)
}
