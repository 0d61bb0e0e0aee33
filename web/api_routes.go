package web

import (
	"context"
	"net/http"

	"ladder/internal/application"
	"ladder/internal/credential"
	"ladder/internal/environment"
	"ladder/internal/flow"
	"ladder/internal/freeze"
	"ladder/internal/policy"
	"ladder/internal/product"
	"ladder/internal/stepsecret"
	"ladder/internal/user"
	"ladder/internal/workflow"
)

// apiRoutes is every route of the JSON API under /api/v1, on one screen. The OpenAPI
// document is generated from this table, so what it describes is what is served.
func apiRoutes(s Services) []apiRoute {
	envs, apps, prods, wfs, pols, flows, creds := s.Environments, s.Applications, s.Products, s.Workflows, s.Policies, s.Flows, s.Credentials
	secrets := s.StepSecrets
	byName := func(get func(*http.Request, string) error) func(*http.Request) error {
		return func(r *http.Request) error { return get(r, r.PathValue("name")) }
	}
	del := func(d interface {
		Delete(ctx context.Context, name string) error
	}) handlerFunc {
		return apiDelete(byName(func(r *http.Request, n string) error { return d.Delete(r.Context(), n) }))
	}
	return []apiRoute{
		{"GET", "/openapi.json", public, serveOpenAPI, "This API described in OpenAPI 3.1", nil, openAPIDoc{}, 200, nil},

		{"GET", "/environments", viewer, apiList(envs.List, environmentOut), "List environments in dashboard order", nil, []environmentJSON{}, 200, nil},
		{"POST", "/environments", admin, apiSave(201, func(r *http.Request, b environmentJSON) (environment.Environment, error) {
			return envs.Create(r.Context(), b.Input(b.Name))
		}, environmentOut), "Create an environment (at the end of the order)", environmentJSON{}, environmentJSON{}, 201, nil},
		{"GET", "/environments/{name}", viewer, apiGet(func(r *http.Request) (environment.Environment, error) {
			return envs.Get(r.Context(), r.PathValue("name"))
		}, environmentOut), "Get an environment", nil, environmentJSON{}, 200, nil},
		{"PUT", "/environments/{name}", admin, apiSave(200, func(r *http.Request, b environmentJSON) (environment.Environment, error) {
			return envs.Update(r.Context(), r.PathValue("name"), b.Input(nameOr(b.Name, r)))
		}, environmentOut), "Change (or rename) an environment", environmentJSON{}, environmentJSON{}, 200, nil},
		{"DELETE", "/environments/{name}", admin, del(envs), "Delete an environment nothing uses", nil, nil, 204, nil},

		{"GET", "/applications", viewer, apiList(apps.List, applicationOut), "List applications", nil, []applicationJSON{}, 200, nil},
		{"POST", "/applications", admin, apiSave(201, func(r *http.Request, b applicationJSON) (application.Application, error) {
			return apps.Create(r.Context(), b.Input(b.Name))
		}, applicationOut), "Create an application", applicationJSON{}, applicationJSON{}, 201, nil},
		{"GET", "/applications/{env}/{name}", viewer, apiGet(func(r *http.Request) (application.Application, error) {
			return apps.Get(r.Context(), r.PathValue("env"), r.PathValue("name"))
		}, applicationOut), "Get an application of an environment", nil, applicationJSON{}, 200, nil},
		{"PUT", "/applications/{env}/{name}", admin, apiSave(200, func(r *http.Request, b applicationJSON) (application.Application, error) {
			if b.Environment == "" {
				b.Environment = r.PathValue("env")
			}
			return apps.Update(r.Context(), r.PathValue("env"), r.PathValue("name"), b.Input(nameOr(b.Name, r)))
		}, applicationOut), "Change (rename or move) an application", applicationJSON{}, applicationJSON{}, 200, nil},
		{"DELETE", "/applications/{env}/{name}", admin, apiDelete(func(r *http.Request) error {
			return apps.Delete(r.Context(), r.PathValue("env"), r.PathValue("name"))
		}), "Delete an application", nil, nil, 204, nil},

		{"GET", "/products", viewer, apiList(prods.List, productOut), "List products", nil, []productJSON{}, 200, nil},
		{"POST", "/products", admin, apiSave(201, func(r *http.Request, b productJSON) (product.Product, error) {
			return prods.Create(r.Context(), b.Input(b.Name))
		}, productOut), "Create a product", productJSON{}, productJSON{}, 201, nil},
		{"GET", "/products/{name}", viewer, apiGet(func(r *http.Request) (product.Product, error) {
			return prods.Get(r.Context(), r.PathValue("name"))
		}, productOut), "Get a product", nil, productJSON{}, 200, nil},
		{"PUT", "/products/{name}", admin, apiSave(200, func(r *http.Request, b productJSON) (product.Product, error) {
			return prods.Update(r.Context(), r.PathValue("name"), b.Input(nameOr(b.Name, r)))
		}, productOut), "Change (or rename) a product", productJSON{}, productJSON{}, 200, nil},
		{"DELETE", "/products/{name}", admin, del(prods), "Delete a product no application uses", nil, nil, 204, nil},

		{"GET", "/workflows", viewer, apiGet(func(r *http.Request) ([]workflow.Workflow, error) { return readableWorkflows(r, wfs) }, workflowsOut), "List promotion workflows", nil, []workflowJSON{}, 200, nil},
		{"POST", "/workflows", admin, apiSave(201, func(r *http.Request, b workflowJSON) (workflow.Workflow, error) {
			return wfs.Create(r.Context(), b.Input(b.Name))
		}, workflowOut), "Create a promotion workflow", workflowJSON{}, workflowJSON{}, 201, nil},
		{"GET", "/workflows/{name}", viewer, apiGet(func(r *http.Request) (workflow.Workflow, error) {
			wf, err := wfs.Get(r.Context(), r.PathValue("name"))
			return readable(r, wf), err
		}, workflowOut), "Get a promotion workflow", nil, workflowJSON{}, 200, nil},
		{"PUT", "/workflows/{name}", admin, apiSave(200, func(r *http.Request, b workflowJSON) (workflow.Workflow, error) {
			return wfs.Update(r.Context(), r.PathValue("name"), b.Input(nameOr(b.Name, r)))
		}, workflowOut), "Change a promotion workflow", workflowJSON{}, workflowJSON{}, 200, nil},
		{"DELETE", "/workflows/{name}", admin, del(wfs), "Delete a workflow no policy or flow uses", nil, nil, 204, nil},

		{"GET", "/policies", viewer, apiList(pols.List, policyOut), "List promotion policies", nil, []policyJSON{}, 200, nil},
		{"POST", "/policies", admin, apiSave(201, func(r *http.Request, b policyJSON) (policy.Policy, error) {
			return pols.Create(r.Context(), b.Input(b.Name))
		}, policyOut), "Create a promotion policy", policyJSON{}, policyJSON{}, 201, nil},
		{"GET", "/policies/{name}", viewer, apiGet(func(r *http.Request) (policy.Policy, error) {
			return pols.Get(r.Context(), r.PathValue("name"))
		}, policyOut), "Get a promotion policy", nil, policyJSON{}, 200, nil},
		{"PUT", "/policies/{name}", admin, apiSave(200, func(r *http.Request, b policyJSON) (policy.Policy, error) {
			return pols.Update(r.Context(), r.PathValue("name"), b.Input(nameOr(b.Name, r)))
		}, policyOut), "Change (or rename) a promotion policy", policyJSON{}, policyJSON{}, 200, nil},
		{"DELETE", "/policies/{name}", admin, del(pols), "Delete a promotion policy", nil, nil, 204, nil},

		{"GET", "/freeze-windows", viewer, apiList(s.Windows.List, windowOutAt(s.Now)), "List freeze windows, with the occurrence holding now and the next", nil, []windowJSON{}, 200, nil},
		{"POST", "/freeze-windows", admin, apiSave(201, func(r *http.Request, b windowJSON) (freeze.Window, error) {
			return s.Windows.Create(r.Context(), b.Input(b.Name))
		}, windowOutAt(s.Now)), "Create a freeze window", windowJSON{}, windowJSON{}, 201, nil},
		{"GET", "/freeze-windows/{name}", viewer, apiGet(func(r *http.Request) (freeze.Window, error) {
			return s.Windows.Get(r.Context(), r.PathValue("name"))
		}, windowOutAt(s.Now)), "Get a freeze window", nil, windowJSON{}, 200, nil},
		{"PUT", "/freeze-windows/{name}", admin, apiSave(200, func(r *http.Request, b windowJSON) (freeze.Window, error) {
			return s.Windows.Update(r.Context(), r.PathValue("name"), b.Input(nameOr(b.Name, r)))
		}, windowOutAt(s.Now)), "Change (or rename) a freeze window", windowJSON{}, windowJSON{}, 200, nil},
		{"DELETE", "/freeze-windows/{name}", admin, del(s.Windows), "Delete a freeze window", nil, nil, 204, nil},

		{"GET", "/flows", viewer, apiList(flows.List, flowOut), "List promotion flows", nil, []flowJSON{}, 200, nil},
		{"POST", "/flows", admin, apiSave(201, func(r *http.Request, b flowJSON) (flow.Flow, error) {
			return flows.Create(r.Context(), b.Input(b.Name))
		}, flowOut), "Create a promotion flow", flowJSON{}, flowJSON{}, 201, nil},
		{"GET", "/flows/{name}", viewer, apiGet(func(r *http.Request) (flow.Flow, error) {
			return flows.Get(r.Context(), r.PathValue("name"))
		}, flowOut), "Get a promotion flow", nil, flowJSON{}, 200, nil},
		{"PUT", "/flows/{name}", admin, apiSave(200, func(r *http.Request, b flowJSON) (flow.Flow, error) {
			return flows.Update(r.Context(), r.PathValue("name"), b.Input(nameOr(b.Name, r)))
		}, flowOut), "Change (or rename) a promotion flow", flowJSON{}, flowJSON{}, 200, nil},
		{"DELETE", "/flows/{name}", admin, del(flows), "Delete a promotion flow", nil, nil, 204, nil},

		{"GET", "/git-credentials", viewer, apiList(func(ctx context.Context) ([]credential.Credential, error) { return creds.List(ctx) }, credentialOut), "List Git credentials (never their secrets)", nil, []credentialJSON{}, 200, nil},
		{"POST", "/git-credentials", admin, apiSave(201, func(r *http.Request, b credentialInputJSON) (credential.Credential, error) {
			return creds.Create(r.Context(), b.input())
		}, credentialOut), "Create a Git credential", credentialInputJSON{}, credentialJSON{}, 201, nil},
		{"GET", "/git-credentials/{name}", viewer, apiGet(func(r *http.Request) (credential.Credential, error) {
			return creds.Get(r.Context(), r.PathValue("name"))
		}, credentialOut), "Get a Git credential (never its secret)", nil, credentialJSON{}, 200, nil},
		{"PUT", "/git-credentials/{name}", admin, apiSave(200, func(r *http.Request, b credentialInputJSON) (credential.Credential, error) {
			b.Name = nameOr(b.Name, r)
			return creds.Update(r.Context(), r.PathValue("name"), b.input())
		}, credentialOut), "Change a Git credential; an empty secret keeps the stored one", credentialInputJSON{}, credentialJSON{}, 200, nil},
		{"DELETE", "/git-credentials/{name}", admin, del(creds), "Delete a Git credential", nil, nil, 204, nil},

		{"GET", "/workflow-secrets", admin, apiList(func(ctx context.Context) ([]stepsecret.Secret, error) { return secrets.List(ctx) }, stepSecretOut), "List workflow secrets (never their values)", nil, []stepSecretJSON{}, 200, nil},
		{"POST", "/workflow-secrets", admin, apiSave(201, func(r *http.Request, b stepSecretInputJSON) (stepsecret.Secret, error) {
			return secrets.Create(r.Context(), b.input())
		}, stepSecretOut), "Create a workflow secret", stepSecretInputJSON{}, stepSecretJSON{}, 201, nil},
		{"GET", "/workflow-secrets/{name}", admin, apiGet(func(r *http.Request) (stepsecret.Secret, error) {
			return secrets.Get(r.Context(), r.PathValue("name"))
		}, stepSecretOut), "Get a workflow secret (never its value)", nil, stepSecretJSON{}, 200, nil},
		{"PUT", "/workflow-secrets/{name}", admin, apiSave(200, func(r *http.Request, b stepSecretInputJSON) (stepsecret.Secret, error) {
			b.Name = nameOr(b.Name, r)
			return secrets.Update(r.Context(), r.PathValue("name"), b.input())
		}, stepSecretOut), "Change a workflow secret; an empty value keeps the stored one", stepSecretInputJSON{}, stepSecretJSON{}, 200, nil},
		{"DELETE", "/workflow-secrets/{name}", admin, del(secrets), "Delete a workflow secret", nil, nil, 204, nil},

		{"GET", "/rules", viewer, apiList(s.Users.Rules, ruleOut), "List access rules, by name", nil, []ruleJSON{}, 200, nil},
		{"POST", "/rules", admin, apiSave(201, saveRule(s.Users, false), ruleOut),
			"Create an access rule: only its group holds its permission on the environments, products and flows it selects", ruleJSON{}, ruleJSON{}, 201, nil},
		{"GET", "/rules/{name}", viewer, apiGet(func(r *http.Request) (user.Rule, error) {
			return s.Users.Rule(r.Context(), r.PathValue("name"))
		}, ruleOut), "Get an access rule", nil, ruleJSON{}, 200, nil},
		{"PUT", "/rules/{name}", admin, apiSave(200, saveRule(s.Users, true), ruleOut), "Change (or rename) an access rule", ruleJSON{}, ruleJSON{}, 200, nil},
		{"DELETE", "/rules/{name}", admin, apiDelete(func(r *http.Request) error { return s.Users.DeleteRule(r.Context(), r.PathValue("name")) }),
			"Delete an access rule", nil, nil, 204, nil},
		{"GET", "/rule-evaluation", admin, apiEvaluateRules(ruleCatalog{s.Users, s.Products, s.Environments, s.Flows}),
			"Who may take a permission on a product in an environment (and flow): allowed or denied for a user or a promoter in a group, with the rules that decide",
			nil, ruleVerdictJSON{}, 200, []string{"user", "group", "permission", "product", "environment", "flow"}},

		{"GET", "/model", viewer, apiExportModel(s.Model), "Export the whole model as YAML documents", nil, yamlText(""), 200, nil},
		{"POST", "/model", admin, apiApplyModel(s.Model), "Apply YAML documents to the model (all or nothing); prune=true also deletes what they no longer declare", yamlText(""), modelChanges{}, 200, []string{"dryRun", "prune"}},
		{"GET", "/model-repository", viewer, apiGetModelRepo(s.ModelRepo), "Get the model repository (404 when none is set)", nil, modelRepoJSON{}, 200, nil},
		{"PUT", "/model-repository", admin, apiSetModelRepo(s.ModelRepo), "Set the Git repository the model is applied from", modelRepoJSON{}, modelRepoJSON{}, 200, nil},
		{"DELETE", "/model-repository", admin, apiClearModelRepo(s.ModelRepo), "Stop applying the model from Git (the model stays)", nil, nil, 204, nil},
		{"GET", "/model-repository/attempts", viewer, apiModelRepoAttempts(s.ModelRepo), "The last attempts to apply the model repository, newest first", nil, []modelRepoAttemptJSON{}, 200, nil},
		{"POST", "/model-repository/check", admin, apiCheckModelRepo(s.ModelRepo), "Read the model repository now and apply a new commit", nil, modelRepoCheckJSON{}, 200, nil},

		{"GET", "/releases", viewer, apiListReleases(s.Releases), "List releases, newest first", nil, releaseListJSON{}, 200, []string{"product", "status", "before", "limit"}},
		{"POST", "/releases", promoter, apiStartRelease(s.Promotions), "Run a flow, or promote from one environment to another; with dryRun=true, only show what it would do",
			releaseRequest{}, orDryRun{releaseJSON{}, planJSON{}}, 201, []string{"dryRun"}},
		{"GET", "/releases/{id}", viewer, apiGetRelease(s.Releases), "Get a release", nil, releaseJSON{}, 200, nil},
		{"POST", "/releases/{id}/terminate", promoter, apiReleaseAction(s.Releases, func(r *http.Request, id string) error {
			return s.Promotions.Terminate(r.Context(), actor(r), id)
		}), "Terminate a release", nil, releaseJSON{}, 200, nil},
		{"POST", "/releases/{id}/retry", promoter, apiReleaseAction(s.Releases, func(r *http.Request, id string) error {
			return s.Promotions.Retry(r.Context(), actor(r), id)
		}), "Retry a failed or terminated release", nil, releaseJSON{}, 200, nil},
		{"POST", "/releases/{id}/approve", promoter, apiDecide(s.Promotions, s.Runner, s.Releases, true),
			"Approve the release's waiting approval step (or the one the body names)", decisionRequest{}, releaseJSON{}, 200, nil},
		{"POST", "/releases/{id}/reject", promoter, apiDecide(s.Promotions, s.Runner, s.Releases, false),
			"Reject the release's waiting approval step (or the one the body names), failing it", decisionRequest{}, releaseJSON{}, 200, nil},
		{"POST", "/releases/{id}/rollback", promoter, apiRollback(s.Promotions),
			"Roll back: promote a succeeded release's values again to one environment, optionally pinning the product there", rollbackRequest{}, releaseJSON{}, 201, nil},

		{"GET", "/pins", viewer, apiList(s.Pins.List, pinOut), "List pins: products held at a version in an environment", nil, []pinJSON{}, 200, nil},
		{"DELETE", "/pins/{product}/{env}", promoter, apiUnpin(s.Promotions), "Unpin a product in an environment (needs the promote rules there)", nil, nil, 204, nil},

		{"POST", "/releases/{id}/override-freeze", promoter, apiOverrideFreeze(s.Promotions, s.Releases),
			"Let the release through the freeze windows holding one of its environments, with a reason (admins, and the groups of promote rules there)",
			freezeOverrideRequest{}, releaseJSON{}, 200, nil},
	}
}
