package argocd

import (
	"strings"
)

// Sync and health statuses and operation phases Argo CD reports.
const (
	Synced      = "Synced"
	OutOfSync   = "OutOfSync"
	Healthy     = "Healthy"
	Progressing = "Progressing"
	Suspended   = "Suspended"
	Degraded    = "Degraded"
	Running     = "Running"
	Terminating = "Terminating"
	Failed      = "Failed"
	Error       = "Error"
)

// Source is where an application's manifests come from: one of spec.sources, spec.source, or
// the dry source of a source hydrator.
type Source struct {
	RepoURL        string
	Path           string
	TargetRevision string
	Chart          string // a Helm chart from a Helm repository: not a Git source
}

// Destination is the cluster and namespace an application deploys to.
type Destination struct {
	Server    string `json:"server"`
	Name      string `json:"name"`
	Namespace string `json:"namespace"`
}

// Operation is the application's current or last operation (status.operationState).
type Operation struct {
	Phase     string   // Running, Terminating, Succeeded, Failed or Error
	Message   string   // Argo CD's words, with "Retrying attempt #n" while it retries
	Revisions []string // syncResult.revision(s) or, before a result, operation.sync.revision(s)
}

// Condition is an application condition (status.conditions): ComparisonError, SyncError…
type Condition struct {
	Type    string `json:"type"`
	Message string `json:"message"`
}

// Resource is a resource the application manages, with its own health (status.resources).
type Resource struct {
	Group, Kind, Namespace, Name string
	Health, HealthMessage        string
}

// Application is what Ladder reads of an Argo CD Application.
type Application struct {
	Name        string
	Namespace   string // the namespace the Application object lives in
	Project     string
	Annotations map[string]string
	Labels      map[string]string
	Sources     []Source // spec.sources in order, or spec.source, or the hydrator's dry source
	Hydrator    bool     // spec.sourceHydrator: Sources holds the dry source
	Destination Destination

	SyncStatus    string   // Synced, OutOfSync or Unknown
	Revisions     []string // status.sync.revision(s), in Sources order
	DrySHA        string   // hydrator: the dry commit of the last successful hydration
	HydratedSHA   string   // hydrator: the commit it wrote, which Argo CD syncs
	Health        string   // Healthy, Progressing, Degraded, Suspended, Missing or Unknown
	HealthMessage string
	Operation     *Operation
	Conditions    []Condition
	Resources     []Resource
}

// Ref is how Ladder names an application: "name", or "namespace/name" for an application
// outside Argo CD's own namespace.
func (a Application) Ref() string {
	if a.Namespace == "" {
		return a.Name
	}
	return a.Namespace + "/" + a.Name
}

// SplitRef splits "namespace/name" into the application's namespace and name; a bare name has
// no namespace (Argo CD's own).
func SplitRef(ref string) (namespace, name string) {
	if ns, n, ok := strings.Cut(ref, "/"); ok {
		return ns, n
	}
	return "", ref
}

// SourceIndex returns the index of the Git source for repoURL and path: the only one with that
// repository, or the one whose path matches too; -1 if none.
func (a Application) SourceIndex(repoURL, path string) int {
	found := -1
	for i, s := range a.Sources {
		if s.Chart != "" || !SameRepo(s.RepoURL, repoURL) {
			continue
		}
		if cleanPath(s.Path) == cleanPath(path) {
			return i
		}
		if found == -1 {
			found = i
		}
	}
	return found
}

// Revision returns the commit Argo CD compared the source for repoURL and path at: for a
// multi-source application the revision in that source's place (status.sync.revisions follows
// spec.sources), for a hydrated one the dry commit the hydrated manifests came from.
func (a Application) Revision(repoURL, path string) string {
	if a.Hydrator {
		return a.DrySHA
	}
	return pick(a.Revisions, a.SourceIndex(repoURL, path), len(a.Sources))
}

// OperationRevision returns the commit the current or last operation synced the source for
// repoURL and path to ("" when unknown); for a hydrated application, the dry commit when the
// operation synced the hydrated commit of the last hydration.
func (a Application) OperationRevision(repoURL, path string) string {
	if a.Operation == nil {
		return ""
	}
	if a.Hydrator {
		if len(a.Operation.Revisions) > 0 && a.Operation.Revisions[0] == a.HydratedSHA {
			return a.DrySHA
		}
		return ""
	}
	return pick(a.Operation.Revisions, a.SourceIndex(repoURL, path), len(a.Sources))
}

// pick returns revs[i] when revs follow the sources; a single-source revision list is taken
// whole.
func pick(revs []string, i, sources int) string {
	switch {
	case len(revs) == 1 && sources <= 1:
		return revs[0]
	case i >= 0 && i < len(revs):
		return revs[i]
	}
	return ""
}

// SameRepo reports whether two repository URLs name the same repository, ignoring case, a
// trailing slash and a ".git" suffix.
func SameRepo(a, b string) bool {
	return normRepo(a) == normRepo(b)
}

func normRepo(u string) string {
	u = strings.ToLower(strings.TrimSpace(u))
	u = strings.TrimSuffix(strings.TrimSuffix(u, "/"), ".git")
	return u
}

func cleanPath(p string) string {
	p = strings.Trim(p, "/")
	if p == "" {
		return "."
	}
	return p
}

// Running reports whether an operation is under way (Argo CD retries a failed sync in the
// Running phase).
func (a Application) Running() bool {
	return a.Operation != nil && (a.Operation.Phase == Running || a.Operation.Phase == Terminating)
}

// OperationFailed reports whether the last operation ended Failed or Error, its retries spent.
func (a Application) OperationFailed() bool {
	return a.Operation != nil && (a.Operation.Phase == Failed || a.Operation.Phase == Error)
}

// ErrorConditions returns the conditions that are errors (their type ends in "Error").
func (a Application) ErrorConditions() []Condition {
	var out []Condition
	for _, c := range a.Conditions {
		if strings.HasSuffix(c.Type, "Error") {
			out = append(out, c)
		}
	}
	return out
}

// Causes returns the resources whose health is status, each with its own message, as
// "Rollout shop/web: Suspended (CanaryPauseStep)" — what the application-level message
// ("Caused by …") only points at.
func (a Application) Causes(status string) []string {
	var out []string
	for _, r := range a.Resources {
		if r.Health != status {
			continue
		}
		s := r.Kind + " " + r.Name
		if r.Namespace != "" {
			s = r.Kind + " " + r.Namespace + "/" + r.Name
		}
		s += ": " + r.Health
		if r.HealthMessage != "" {
			s += " (" + r.HealthMessage + ")"
		}
		out = append(out, s)
	}
	return out
}

// Report is what Argo CD says about the application, in the words it uses: "Argo CD:
// OutOfSync, Progressing", then the unhealthy resources' own messages (or the application's
// health message), error conditions and a failed or running operation's message.
func (a Application) Report() string {
	s := "Argo CD: " + OrUnknown(a.SyncStatus) + ", " + OrUnknown(a.Health)
	if causes := a.Causes(a.Health); a.Health != Healthy && len(causes) > 0 {
		s += "; " + strings.Join(causes, "; ")
	} else if a.HealthMessage != "" {
		s += " (" + a.HealthMessage + ")"
	}
	for _, c := range a.ErrorConditions() {
		s += "; " + c.Type + ": " + c.Message
	}
	if op := a.Operation; op != nil && (a.OperationFailed() || a.Running()) {
		s += "; sync " + strings.ToLower(op.Phase)
		if op.Message != "" {
			s += ": " + op.Message
		}
	}
	return s
}

// OrUnknown is a sync or health status as Argo CD words it, "Unknown" when it gave none.
func OrUnknown(s string) string {
	if s == "" {
		return "Unknown"
	}
	return s
}
