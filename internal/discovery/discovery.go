// Package discovery proposes Ladder applications from the Argo CD applications a server
// lists: those annotated with a product (ladder.dev/product by default), placed in an
// environment by an annotation (ladder.dev/environment) or by the environment's destination
// rule, with repository, branch and path read from the Argo CD application's spec. Accepted
// applications keep following Argo CD: a poll (and a refresh on demand) updates them, and one
// Argo CD no longer lists is marked missing, never removed.
package discovery

import (
	"strings"
	"time"

	"ladder/internal/argocd"
)

// Settings is what an admin sets for discovery on one Argo CD server.
type Settings struct {
	serverID              int64
	Server                string
	Enabled               bool
	Projects              []string // empty: every project
	AppNamespace          string   // empty: every namespace Argo CD watches
	Selector              string   // a Kubernetes label selector
	ProductAnnotation     string
	EnvironmentAnnotation string
	PolledAt              *time.Time
	PollError             string
}

// Input is the settings form.
type Input struct {
	Enabled               bool   `form:"enabled"`
	Projects              string `form:"projects" validate:"max=1000"`
	AppNamespace          string `form:"appNamespace" validate:"omitempty,dnslabel"`
	Selector              string `form:"selector" validate:"max=1000"`
	ProductAnnotation     string `form:"productAnnotation" validate:"required,max=317"`
	EnvironmentAnnotation string `form:"environmentAnnotation" validate:"required,max=317"`
}

// Rule places Argo CD applications in an environment by their destination: the cluster's name
// or server URL, and a namespace (empty: any).
type Rule struct {
	Environment string
	Cluster     string
	Namespace   string
}

// Proposal is one annotated Argo CD application and what Ladder would make of it.
type Proposal struct {
	ArgoApp        string // namespace/name in Argo CD
	Name           string // the Ladder application's name
	Product        string
	ProductMissing bool   // no product of that name in Ladder yet
	Environment    string // "" when none matched
	RepoURL        string
	Branch         string
	Path           string
	Existing       string // environment/name of the Ladder application already linked to it
	Problem        string // why it cannot be accepted as it is
}

// Acceptable reports whether the proposal can become a Ladder application now.
func (p Proposal) Acceptable() bool {
	return p.Existing == "" && p.Problem == "" && !p.ProductMissing
}

// location returns the repository, branch and path Ladder promotes in for an Argo CD
// application: the hydrator's dry source, the single source, or of several sources the first
// Git source with a path (else the first Git source). A targetRevision of HEAD is the default
// branch.
func location(a argocd.Application) (repo, branch, path string, ok bool) {
	var pick *argocd.Source
	for i, s := range a.Sources {
		if s.Chart != "" {
			continue
		}
		if pick == nil || (pick.Path == "" && s.Path != "") {
			pick = &a.Sources[i]
		}
	}
	if pick == nil {
		return "", "", "", false
	}
	branch = pick.TargetRevision
	if branch == "HEAD" {
		branch = ""
	}
	path = strings.Trim(pick.Path, "/")
	if path == "" {
		path = "."
	}
	return pick.RepoURL, branch, path, true
}

// environmentOf places an application: its environment annotation, else the rule matching its
// destination (a rule with a namespace wins over one for the whole cluster).
func environmentOf(a argocd.Application, s Settings, rules []Rule, exists func(string) bool) (env, problem string) {
	if name := a.Annotations[s.EnvironmentAnnotation]; name != "" {
		if !exists(name) {
			return "", "annotation " + s.EnvironmentAnnotation + " names environment " + name + ", which Ladder does not have"
		}
		return name, ""
	}
	d := a.Destination
	best := ""
	for _, r := range rules {
		if r.Cluster == "" || (r.Cluster != d.Name && r.Cluster != d.Server) {
			continue
		}
		if r.Namespace == d.Namespace {
			return r.Environment, ""
		}
		if r.Namespace == "" && best == "" {
			best = r.Environment
		}
	}
	if best != "" {
		return best, ""
	}
	cluster := d.Name
	if cluster == "" {
		cluster = d.Server
	}
	return "", "no environment annotation and no environment rule for destination " + cluster + " " + d.Namespace
}

// ref is how Ladder names an Argo CD application it discovered: always namespace/name, so the
// namespace is sent as appNamespace whatever Argo CD's own namespace is.
func ref(a argocd.Application) string {
	if a.Namespace == "" {
		return a.Name
	}
	return a.Namespace + "/" + a.Name
}

// splitList splits a comma-separated list, trimming and dropping empty entries.
func splitList(s string) []string {
	var out []string
	for p := range strings.SplitSeq(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
