package model

import (
	"ladder/internal/argocd"
	"ladder/internal/argowf"
	"ladder/internal/credential"
	"ladder/internal/notify"
	"ladder/internal/provider"
)

// Kinds of the settings that hold secrets. Their secrets are never part of a document: a
// document names them by reference (SecretRef), and the values come with the apply.
const (
	KindGitCredential       = "GitCredential"
	KindGitProvider         = "GitProvider"
	KindArgoCDServer        = "ArgoCDServer"
	KindArgoWorkflowsServer = "ArgoWorkflowsServer"
	KindNotificationChannel = "NotificationChannel"
)

// SecretRef names a secret value supplied with an apply (a secrets file, or an environment
// variable): the secret's name and the key within it.
type SecretRef struct {
	Name string `json:"name"`
	Key  string `json:"key"`
}

// refField is one spec field holding a SecretRef, by its JSON name.
type refField struct {
	field string
	ref   **SecretRef
}

// secretSpec is the spec of a kind of setting with secrets; refs lists its reference fields
// in the order the setting's service declares its secrets.
type secretSpec interface{ refs() []refField }

// GitCredentialSpec is the spec of a GitCredential document: the token (https) or private
// key (ssh) is the secret secretRef names.
type GitCredentialSpec struct {
	URLPrefix  string     `json:"urlPrefix"`
	Kind       string     `json:"kind"`
	Username   string     `json:"username,omitempty"`
	KnownHosts string     `json:"knownHosts,omitempty"`
	SecretRef  *SecretRef `json:"secretRef,omitempty"`
}

func (s *GitCredentialSpec) refs() []refField { return []refField{{"secretRef", &s.SecretRef}} }

// GitProviderSpec is the spec of a GitProvider document.
type GitProviderSpec struct {
	Kind             string     `json:"kind"`
	BaseURL          string     `json:"baseURL,omitempty"`
	URLPrefix        string     `json:"urlPrefix"`
	TokenRef         *SecretRef `json:"tokenRef,omitempty"`
	WebhookSecretRef *SecretRef `json:"webhookSecretRef,omitempty"`
}

func (s *GitProviderSpec) refs() []refField {
	return []refField{{"tokenRef", &s.TokenRef}, {"webhookSecretRef", &s.WebhookSecretRef}}
}

// ArgoCDServerSpec is the spec of an ArgoCDServer document.
type ArgoCDServerSpec struct {
	URL                string     `json:"url"`
	Insecure           bool       `json:"insecure,omitempty"`
	CABundle           string     `json:"caBundle,omitempty"`
	SyncAfterPromotion bool       `json:"syncAfterPromotion,omitempty"`
	TokenRef           *SecretRef `json:"tokenRef,omitempty"`
}

func (s *ArgoCDServerSpec) refs() []refField { return []refField{{"tokenRef", &s.TokenRef}} }

// ArgoWorkflowsServerSpec is the spec of an ArgoWorkflowsServer document.
type ArgoWorkflowsServerSpec struct {
	URL       string     `json:"url"`
	Namespace string     `json:"namespace"`
	Insecure  bool       `json:"insecure,omitempty"`
	CABundle  string     `json:"caBundle,omitempty"`
	TokenRef  *SecretRef `json:"tokenRef,omitempty"`
}

func (s *ArgoWorkflowsServerSpec) refs() []refField { return []refField{{"tokenRef", &s.TokenRef}} }

// NotificationChannelSpec is the spec of a NotificationChannel document: its URL may hold a
// token (Slack's do), so it is a secret too.
type NotificationChannelSpec struct {
	Kind    string     `json:"kind"`
	Product string     `json:"product,omitempty"`
	URLRef  *SecretRef `json:"urlRef,omitempty"`
}

func (s *NotificationChannelSpec) refs() []refField { return []refField{{"urlRef", &s.URLRef}} }

// Settings are the services of the settings with secrets; a nil service leaves its kind out
// of export and apply.
type Settings struct {
	Credentials   *credential.Service
	Providers     *provider.Service
	ArgoCD        *argocd.Service
	ArgoWorkflows *argowf.Service
	Channels      *notify.Service
}

// settingKinds binds each kind of setting the service has to its conversions.
func (s *Service) settingKinds() []settingKind {
	var out []settingKind
	if svc := s.Settings.Credentials; svc != nil {
		out = append(out, &setting[credential.Credential, credential.Input]{kind: KindGitCredential, svc: svc,
			name: func(c credential.Credential) string { return c.Name },
			spec: func(c credential.Credential) secretSpec {
				return &GitCredentialSpec{URLPrefix: c.URLPrefix, Kind: c.Kind, Username: c.Username, KnownHosts: c.KnownHosts}
			},
			input: func(name string, sp secretSpec, secrets []string) credential.Input {
				c := sp.(*GitCredentialSpec)
				in := credential.Input{Name: name, URLPrefix: c.URLPrefix, Kind: c.Kind, Username: c.Username, KnownHosts: c.KnownHosts}
				if c.Kind == credential.KindSSH {
					in.PrivateKey = secrets[0]
				} else {
					in.Token = secrets[0]
				}
				return in
			}, renames: map[string]string{"token": "secretRef", "privateKey": "secretRef"}})
	}
	if svc := s.Settings.Providers; svc != nil {
		out = append(out, &setting[provider.Provider, provider.Input]{kind: KindGitProvider, svc: svc,
			name: func(p provider.Provider) string { return p.Name },
			spec: func(p provider.Provider) secretSpec {
				return &GitProviderSpec{Kind: p.Kind, BaseURL: p.BaseURL, URLPrefix: p.URLPrefix}
			},
			input: func(name string, sp secretSpec, secrets []string) provider.Input {
				p := sp.(*GitProviderSpec)
				return provider.Input{Name: name, Kind: p.Kind, BaseURL: p.BaseURL, URLPrefix: p.URLPrefix,
					Token: secrets[0], WebhookSecret: secrets[1]}
			}, renames: map[string]string{"token": "tokenRef", "webhookSecret": "webhookSecretRef"}})
	}
	if svc := s.Settings.ArgoCD; svc != nil {
		out = append(out, &setting[argocd.Server, argocd.Input]{kind: KindArgoCDServer, svc: svc,
			name: func(a argocd.Server) string { return a.Name },
			spec: func(a argocd.Server) secretSpec {
				return &ArgoCDServerSpec{URL: a.URL, Insecure: a.Insecure, CABundle: a.CABundle, SyncAfterPromotion: a.SyncAfterPromotion}
			},
			input: func(name string, sp secretSpec, secrets []string) argocd.Input {
				a := sp.(*ArgoCDServerSpec)
				return argocd.Input{Name: name, URL: a.URL, Token: secrets[0], Insecure: a.Insecure, CABundle: a.CABundle,
					SyncAfterPromotion: a.SyncAfterPromotion}
			}, renames: map[string]string{"token": "tokenRef"}})
	}
	if svc := s.Settings.ArgoWorkflows; svc != nil {
		out = append(out, &setting[argowf.Server, argowf.Input]{kind: KindArgoWorkflowsServer, svc: svc,
			name: func(a argowf.Server) string { return a.Name },
			spec: func(a argowf.Server) secretSpec {
				return &ArgoWorkflowsServerSpec{URL: a.URL, Namespace: a.Namespace, Insecure: a.Insecure, CABundle: a.CABundle}
			},
			input: func(name string, sp secretSpec, secrets []string) argowf.Input {
				a := sp.(*ArgoWorkflowsServerSpec)
				return argowf.Input{Name: name, URL: a.URL, Namespace: a.Namespace, Token: secrets[0], Insecure: a.Insecure,
					CABundle: a.CABundle}
			}, renames: map[string]string{"token": "tokenRef"}})
	}
	if svc := s.Settings.Channels; svc != nil {
		out = append(out, &setting[notify.Channel, notify.Input]{kind: KindNotificationChannel, svc: svc,
			name: func(c notify.Channel) string { return c.Name },
			spec: func(c notify.Channel) secretSpec { return &NotificationChannelSpec{Kind: c.Kind, Product: c.Product} },
			input: func(name string, sp secretSpec, secrets []string) notify.Input {
				c := sp.(*NotificationChannelSpec)
				return notify.Input{Name: name, Kind: c.Kind, URL: secrets[0], Product: c.Product}
			}, renames: map[string]string{"url": "urlRef"}})
	}
	return out
}

// newSettingSpec is an empty spec of a kind of setting, or nil for another kind.
func newSettingSpec(kind string) any {
	switch kind {
	case KindGitCredential:
		return &GitCredentialSpec{}
	case KindGitProvider:
		return &GitProviderSpec{}
	case KindArgoCDServer:
		return &ArgoCDServerSpec{}
	case KindArgoWorkflowsServer:
		return &ArgoWorkflowsServerSpec{}
	case KindNotificationChannel:
		return &NotificationChannelSpec{}
	}
	return nil
}
