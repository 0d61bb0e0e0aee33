package views

import "ladder/internal/provider"

// ProviderKind describes the Git provider pages.
var ProviderKind = SealedKind{URL: "/settings/git-providers", ID: "provider", Title: "Git providers",
	Noun: "Git provider", Short: "provider", EmptyID: "providers-empty",
	Intro:   "With the pull-request action, Ladder opens the pull request on the provider whose URL prefix matches the repository the longest. Tokens are encrypted and never shown again.",
	Empty:   []Span{{Text: "No Git providers yet. Without one, the pull-request action pushes the branch and waits for someone to merge it; add GitHub, GitLab or Gitea below to have the pull request opened and linked."}},
	Columns: []string{"Kind", "URL prefix", "API", "Webhook"}}

// ProviderValues are the non-secret values of the Git provider form; HasWebhook reports a
// webhook secret is stored.
type ProviderValues struct {
	Name, Kind, BaseURL, URLPrefix string
	HasWebhook                     bool
}

var providerKinds = []Option{{"github", "GitHub"}, {"gitlab", "GitLab"}, {"gitea", "Gitea or Forgejo"}}

// ProviderItem is what the pages show of a provider.
func ProviderItem(p provider.Provider) SealedItem {
	hook := []Span{{Text: "none", Muted: true}}
	if p.HasWebhook {
		hook = []Span{{Text: "POST /hooks/" + p.Kind, Code: true}}
	}
	return SealedItem{Name: p.Name, About: []Span{{Text: p.Kind + ", serving "}, {Text: p.URLPrefix, Code: true}},
		Cells: [][]Span{{{Text: p.Kind}}, {{Text: p.URLPrefix, Code: true}}, {{Text: orText(p.BaseURL, "default")}}, hook}}
}

// ProviderStored returns the values of a stored provider.
func ProviderStored(p provider.Provider) ProviderValues {
	return ProviderValues{Name: p.Name, Kind: p.Kind, BaseURL: p.BaseURL, URLPrefix: p.URLPrefix, HasWebhook: p.HasWebhook}
}

// ProviderForm is the form to add (editing false) or change a provider.
func ProviderForm(action string, v ProviderValues, editing bool) SealedForm {
	if v.Kind == "" {
		v.Kind = "github"
	}
	token := "A token that may open pull requests (GitHub: pull requests write; GitLab: api scope)."
	if editing {
		token = savedHint(true, "A token that may push branches and open pull requests.")
	}
	hook := "Optional. Push webhooks to /hooks/" + orText(v.Kind, "<kind>") + " signed with this secret wake Ladder at once."
	f := SealedForm{Kind: ProviderKind, Action: action, Editing: editing, Groups: [][]Field{{
		{Name: "name", Label: "Name", Value: v.Name, Required: true, Placeholder: "github-acme"},
		{Name: "kind", Label: "Kind", Value: v.Kind, Options: providerKinds},
		{Name: "urlPrefix", Label: "Repository URL prefix", Value: v.URLPrefix, Required: true, Placeholder: "https://github.com/acme/", Hint: "Repositories whose URL starts with this get their pull requests here."},
		{Name: "baseURL", Label: "API base URL", Value: v.BaseURL, Placeholder: "https://gitea.example.com", Hint: "Empty for github.com and gitlab.com. GitHub Enterprise Server: https://HOST/api/v3. Self-hosted GitLab: the site's address, e.g. https://gitlab.example.com (Ladder adds /api/v4). Gitea and Forgejo (required): the site's address, e.g. https://gitea.example.com (Ladder adds /api/v1)."},
	}, {
		{Name: "token", Label: "API token", Type: "password", Hint: token},
		{Name: "webhookSecret", Label: "Webhook secret", Type: "password", Hint: savedHint(v.HasWebhook, hook)},
	}}}
	if v.HasWebhook {
		f.Checks = []Check{{Name: "clearWebhook", Label: "Remove the webhook secret", TestID: "provider-clear-webhook"}}
	}
	return f
}

func orText(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
