// Package application owns Ladder's applications: one deployable unit of a product in one
// environment (one Argo CD Application), with the Git location of its manifests.
package application

import (
	"net/url"
	"path"
	"strings"
	"time"

	"ladder/db"
	"ladder/internal/fault"
)

// Application is one product's deployment in one environment.
type Application struct {
	ID           int64
	Name         string
	Environment  string
	Product      string
	RepoURL      string
	Branch       string // empty: the remote's default branch
	Path         string // directory inside the repository, "." for the root
	ArgocdServer string // Argo CD server reference; empty when not linked
	ArgocdApp    string
	HealthURL    string
	// DiscoveredFrom names the Argo CD server the application was discovered on; its
	// repository, branch and path then follow the Argo CD application. Empty: typed in.
	DiscoveredFrom string
	// MissingSince is when Argo CD stopped listing a discovered application; nil while listed.
	MissingSince *time.Time
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Key names the application uniquely: environment/name.
func (a Application) Key() string { return a.Environment + "/" + a.Name }

// BranchLabel is the branch as shown to people.
func (a Application) BranchLabel() string {
	if a.Branch == "" {
		return "default branch"
	}
	return a.Branch
}

// AtRoot reports whether the application's manifests are at the root of its repository.
func (a Application) AtRoot() bool { return a.Path == "." || a.Path == "" }

// Input is what a person may set on an application.
type Input struct {
	Name         string `form:"name" validate:"required,dnslabel"`
	Environment  string `form:"environment" validate:"required"`
	Product      string `form:"product" validate:"required"`
	RepoURL      string `form:"repoURL" validate:"required,max=1000"`
	Branch       string `form:"branch" validate:"max=250"`
	Path         string `form:"path" validate:"max=500"`
	ArgocdServer string `form:"argocdServer" validate:"omitempty,dnslabel"`
	ArgocdApp    string `form:"argocdApp" validate:"max=253"`
	HealthURL    string `form:"healthURL" validate:"omitempty,http_url,max=1000"`
}

func normalize(in Input) Input {
	for _, f := range []*string{&in.Name, &in.Environment, &in.Product, &in.RepoURL, &in.Branch,
		&in.Path, &in.ArgocdServer, &in.ArgocdApp, &in.HealthURL} {
		*f = strings.TrimSpace(*f)
	}
	if in.Path == "" {
		in.Path = "."
	}
	if in.Path != "." {
		in.Path = strings.TrimSuffix(in.Path, "/")
	}
	return in
}

// checkInput adds the rules validator tags cannot say.
func checkInput(in Input, fe fault.FieldErrors) {
	if in.RepoURL != "" {
		if msg := checkRepoURL(in.RepoURL); msg != "" {
			fe.Add("repoURL", msg)
		}
	}
	if !validBranch(in.Branch) {
		fe.Add("branch", "is not a valid branch name")
	}
	if in.Path != "." && (path.IsAbs(in.Path) || path.Clean(in.Path) != in.Path || strings.HasPrefix(in.Path, "..")) {
		fe.Add("path", "must be a relative directory inside the repository, without .. (e.g. apps/api)")
	}
	if (in.ArgocdServer == "") != (in.ArgocdApp == "") {
		field := "argocdApp"
		if in.ArgocdServer == "" {
			field = "argocdServer"
		}
		fe.Add(field, "give both the Argo CD server and the application name, or neither")
	}
}

// checkRepoURL accepts the URL forms Git clones from: https/http, ssh://, scp-like
// user@host:path, file:// and absolute paths. Passwords belong in Git credentials, not URLs.
func checkRepoURL(s string) string {
	const forms = "use https://…, ssh://…, git@host:path, file:///… or an absolute path"
	if strings.HasPrefix(s, "/") {
		return ""
	}
	if !strings.Contains(s, "://") {
		if host, p, ok := strings.Cut(s, ":"); ok && host != "" && p != "" && !strings.ContainsAny(host, "/ ") {
			return ""
		}
		return forms
	}
	u, err := url.Parse(s)
	if err != nil {
		return forms
	}
	if _, hasPassword := u.User.Password(); hasPassword {
		return "must not contain a password; add a Git credential for it instead"
	}
	switch u.Scheme {
	case "https", "http", "ssh":
		if u.Host == "" {
			return "needs a host"
		}
	case "file":
		if (u.Host != "" && u.Host != "localhost") || !strings.HasPrefix(u.Path, "/") {
			return "a file URL needs an absolute path (file:///srv/git/app.git)"
		}
	default:
		return forms
	}
	return ""
}

// validBranch follows the parts of git check-ref-format that matter for a typed name.
func validBranch(b string) bool {
	if b == "" {
		return true
	}
	if strings.HasPrefix(b, "-") || strings.HasPrefix(b, "/") || strings.HasSuffix(b, "/") ||
		strings.HasSuffix(b, ".lock") || strings.HasSuffix(b, ".") || strings.Contains(b, "..") ||
		strings.Contains(b, "//") || strings.Contains(b, "@{") {
		return false
	}
	return !strings.ContainsAny(b, " ~^:?*[\\\t\n")
}

// lockedByDiscovery refuses changes to what a discovered application takes from Argo CD: its
// repository, branch, path and Argo CD link.
func lockedByDiscovery(prev Application, in Input) fault.FieldErrors {
	if prev.DiscoveredFrom == "" {
		return nil
	}
	fe := fault.FieldErrors{}
	msg := "follows Argo CD application " + prev.ArgocdApp + " on " + prev.DiscoveredFrom + "; change it in Argo CD"
	for field, changed := range map[string]bool{"repoURL": in.RepoURL != prev.RepoURL, "branch": in.Branch != prev.Branch,
		"path": in.Path != prev.Path, "argocdServer": in.ArgocdServer != prev.ArgocdServer, "argocdApp": in.ArgocdApp != prev.ArgocdApp} {
		if changed {
			fe.Add(field, msg)
		}
	}
	return fe
}

func fromRow(r db.ListApplicationsRow) Application {
	a := Application{
		ID: r.ID, Name: r.Name, Environment: r.Environment, Product: r.Product, RepoURL: r.RepoUrl,
		Branch: r.Branch, Path: r.Path, ArgocdServer: r.ArgocdServer, ArgocdApp: r.ArgocdApp,
		HealthURL: r.HealthUrl, DiscoveredFrom: r.DiscoveredFrom, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
	}
	if r.MissingSince.Valid {
		a.MissingSince = &r.MissingSince.Time
	}
	return a
}

func describe(in Input) string {
	d := "product " + in.Product + ", repo " + in.RepoURL
	if in.Branch != "" {
		d += " @" + in.Branch
	}
	return d + ", path " + in.Path
}
