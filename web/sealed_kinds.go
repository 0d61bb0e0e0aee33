package web

import (
	"context"
	"net/http"

	"ladder/internal/argocd"
	"ladder/internal/argowf"
	"ladder/internal/credential"
	"ladder/internal/provider"
	"ladder/views"
)

// Each kind's pages: what they show and how a posted form becomes the service's input. A
// form's secrets go straight from the request into the input and are never put into a view.

func argocdPages(svc *argocd.Service) sealedPages[argocd.Server, argocd.Input] {
	return sealedPages[argocd.Server, argocd.Input]{svc: svc, kind: views.ArgocdKind, nav: "argocd", item: views.ArgocdItem,
		blank: func() views.SealedForm { return views.ArgocdForm(views.ArgocdKind.URL, views.ArgocdValues{}, false) },
		edit: func(s argocd.Server) views.SealedForm {
			return views.ArgocdForm(views.ArgocdKind.URL+"/"+s.Name, views.ArgocdStored(s), true)
		},
		read: func(r *http.Request, action string, old *argocd.Server) (views.SealedForm, argocd.Input) {
			v := views.ArgocdValues{Name: r.FormValue("name"), URL: r.FormValue("url"), CABundle: r.FormValue("caBundle"),
				Insecure: r.FormValue("insecure") == "true", SyncAfterPromotion: r.FormValue("syncAfterPromotion") == "true"}
			return views.ArgocdForm(action, v, old != nil), argocd.Input{Name: v.Name, URL: v.URL, Token: r.FormValue("token"),
				Insecure: v.Insecure, CABundle: v.CABundle, SyncAfterPromotion: v.SyncAfterPromotion}
		},
		test: func(ctx context.Context, name string) (string, error) { return svc.Test(ctx, name) }}
}

func argoWorkflowsPages(svc *argowf.Service) sealedPages[argowf.Server, argowf.Input] {
	return sealedPages[argowf.Server, argowf.Input]{svc: svc, kind: views.ArgoWorkflowsKind, nav: "argo-workflows", item: views.ArgoWorkflowsItem,
		blank: func() views.SealedForm {
			return views.ArgoWorkflowsForm(views.ArgoWorkflowsKind.URL, views.ArgoWorkflowsValues{}, false)
		},
		edit: func(s argowf.Server) views.SealedForm {
			return views.ArgoWorkflowsForm(views.ArgoWorkflowsKind.URL+"/"+s.Name, views.ArgoWorkflowsStored(s), true)
		},
		read: func(r *http.Request, action string, old *argowf.Server) (views.SealedForm, argowf.Input) {
			v := views.ArgoWorkflowsValues{Name: r.FormValue("name"), URL: r.FormValue("url"), Namespace: r.FormValue("namespace"),
				CABundle: r.FormValue("caBundle"), Insecure: r.FormValue("insecure") == "true"}
			return views.ArgoWorkflowsForm(action, v, old != nil), argowf.Input{Name: v.Name, URL: v.URL, Namespace: v.Namespace,
				Token: r.FormValue("token"), Insecure: v.Insecure, CABundle: v.CABundle}
		},
		test: func(ctx context.Context, name string) (string, error) { return svc.Test(ctx, name) }}
}

func credentialPages(svc *credential.Service) sealedPages[credential.Credential, credential.Input] {
	return sealedPages[credential.Credential, credential.Input]{svc: svc, kind: views.CredentialKind, nav: "credentials", item: views.CredentialItem,
		blank: func() views.SealedForm {
			return views.CredentialForm(views.CredentialKind.URL, views.CredentialValues{}, false)
		},
		edit: func(c credential.Credential) views.SealedForm {
			return views.CredentialForm(views.CredentialKind.URL+"/"+c.Name, views.CredentialStored(c), true)
		},
		read: func(r *http.Request, action string, old *credential.Credential) (views.SealedForm, credential.Input) {
			v := views.CredentialValues{Name: r.FormValue("name"), URLPrefix: r.FormValue("urlPrefix"), Kind: r.FormValue("kind"),
				Username: r.FormValue("username"), KnownHosts: r.FormValue("knownHosts")}
			v.Stored = old != nil && old.Kind == v.Kind
			return views.CredentialForm(action, v, old != nil), credential.Input{Name: v.Name, URLPrefix: v.URLPrefix, Kind: v.Kind,
				Username: v.Username, Token: r.FormValue("token"), PrivateKey: r.FormValue("privateKey"), KnownHosts: v.KnownHosts}
		}}
}

func providerPages(svc *provider.Service) sealedPages[provider.Provider, provider.Input] {
	return sealedPages[provider.Provider, provider.Input]{svc: svc, kind: views.ProviderKind, nav: "providers", item: views.ProviderItem,
		blank: func() views.SealedForm {
			return views.ProviderForm(views.ProviderKind.URL, views.ProviderValues{}, false)
		},
		edit: func(p provider.Provider) views.SealedForm {
			return views.ProviderForm(views.ProviderKind.URL+"/"+p.Name, views.ProviderStored(p), true)
		},
		read: func(r *http.Request, action string, old *provider.Provider) (views.SealedForm, provider.Input) {
			v := views.ProviderValues{Name: r.FormValue("name"), Kind: r.FormValue("kind"), BaseURL: r.FormValue("baseURL"),
				URLPrefix: r.FormValue("urlPrefix"), HasWebhook: old != nil && old.HasWebhook}
			return views.ProviderForm(action, v, old != nil), provider.Input{Name: v.Name, Kind: v.Kind, BaseURL: v.BaseURL,
				URLPrefix: v.URLPrefix, Token: r.FormValue("token"), WebhookSecret: r.FormValue("webhookSecret"),
				ClearWebhook: r.FormValue("clearWebhook") == "true"}
		}}
}
