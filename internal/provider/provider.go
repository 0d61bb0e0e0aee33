// Package provider owns the Git providers: the GitHub, GitLab and Gitea/Forgejo servers Ladder
// opens pull requests on, each serving the repositories under a URL prefix, with an API token
// and an optional push-webhook secret, both sealed at rest.
package provider

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"ladder/internal/fault"
	"ladder/internal/gitops"
)

// Purposes bind ciphertexts to the kind of secret they hold.
const (
	tokenPurpose   = "git-provider-token"
	webhookPurpose = "git-provider-webhook"
)

// Kinds of provider.
var Kinds = []string{gitops.ProviderGitHub, gitops.ProviderGitLab, gitops.ProviderGitea}

// Provider is what may be shown about a Git provider: everything but its secrets.
type Provider struct {
	ID         int64
	Name       string
	Kind       string
	BaseURL    string // the API's base; empty: github.com's or gitlab.com's
	URLPrefix  string
	HasWebhook bool // a webhook secret is stored
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Input is what a person may set on a provider. An empty Token or WebhookSecret on update keeps
// the stored one; ClearWebhook removes the webhook secret.
type Input struct {
	Name          string `form:"name" validate:"required,dnslabel"`
	Kind          string `form:"kind" validate:"required,oneof=github gitlab gitea"`
	BaseURL       string `form:"baseURL" validate:"max=500"`
	URLPrefix     string `form:"urlPrefix" validate:"required,max=500"`
	Token         string `form:"token" validate:"max=10000"`
	WebhookSecret string `form:"webhookSecret" validate:"max=1000"`
	ClearWebhook  bool   `form:"clearWebhook"`
}

func normalize(in Input) Input {
	for _, f := range []*string{&in.Name, &in.Kind, &in.BaseURL, &in.URLPrefix, &in.Token, &in.WebhookSecret} {
		*f = strings.TrimSpace(*f)
	}
	in.BaseURL = strings.TrimRight(in.BaseURL, "/")
	return in
}

// checkInput adds the rules validator tags cannot say; keep reports a token is stored.
func checkInput(in Input, keep bool, fe fault.FieldErrors) {
	if in.BaseURL != "" {
		if u, err := url.Parse(in.BaseURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
			fe.Add("baseURL", "needs the API address, e.g. https://gitea.example.com")
		}
	} else if in.Kind == gitops.ProviderGitea {
		fe.Add("baseURL", "is required for Gitea and Forgejo (the server's address)")
	}
	if in.URLPrefix != "" && !strings.Contains(in.URLPrefix, "://") && !strings.Contains(in.URLPrefix, "@") {
		fe.Add("urlPrefix", "needs a repository URL prefix such as https://github.com/acme/")
	}
	if in.Token == "" && !keep {
		fe.Add("token", "is required: an API token that may open pull requests")
	}
}

// Serves reports whether the provider serves the repository at repoURL.
func (p Provider) Serves(repoURL string) bool { return strings.HasPrefix(repoURL, p.URLPrefix) }

func describe(in Input) string {
	d := fmt.Sprintf("kind %s, prefix %s", in.Kind, in.URLPrefix)
	if in.BaseURL != "" {
		d += ", API " + in.BaseURL
	}
	return d
}
