// Package release owns releases: one run of a product through a flow (or a single manual
// promotion), with the state of every environment and application it promotes, and the events
// that tell what happened. The runner moves releases forward; pages and the API read them here.
package release

import (
	"time"

	"ladder/internal/gitops"
)

// Release statuses.
const (
	Queued      = "QUEUED"
	Running     = "RUNNING"
	Suspended   = "SUSPENDED"
	Succeeded   = "SUCCEEDED"
	Failed      = "FAILED"
	Terminating = "TERMINATING"
	Terminated  = "TERMINATED"
)

// Environment statuses besides the ones shared with releases.
const (
	Pending = "PENDING"
	Skipped = "SKIPPED"
)

// AutoInitiator is the initiator of the releases Ladder's automatic trigger starts.
const AutoInitiator = "auto"

// Final reports whether status is an end state.
func Final(status string) bool {
	return status == Succeeded || status == Failed || status == Terminated || status == Skipped
}

// Release is one run of a product through a flow.
type Release struct {
	ID           string
	Number       int64
	Product      string
	Flow         string // empty for a manual single promotion
	Version      string
	Trigger      Commit
	TriggerEnv   string
	SourceApp    string
	Initiator    string
	Status       string
	Blocker      string
	Error        string
	Plan         Plan
	Timeout      time.Duration
	CreatedAt    time.Time
	StartedAt    *time.Time
	FinishedAt   *time.Time
	Environments []Environment
}

// FlowLabel is the flow's name, or "Manual" for a single promotion.
func (r Release) FlowLabel() string { return flowLabel(r.Flow) }

func flowLabel(flow string) string {
	if flow == "" {
		return "Manual"
	}
	return flow
}

// Environment finds the release's environment called name.
func (r Release) Environment(name string) (Environment, bool) {
	for _, e := range r.Environments {
		if e.Name == name {
			return e, true
		}
	}
	return Environment{}, false
}

// Commit is the Git commit that started a release.
type Commit struct {
	SHA     string
	Message string
	Author  string
	Branch  string
	Date    *time.Time
}

// Plan is what a release promotes, fixed when it is created: the template and the values read
// once from the source application at the trigger commit.
type Plan struct {
	Template gitops.Template `json:"template"`
	Values   gitops.Values   `json:"values"`
	Source   Target          `json:"source"`
	Hooks    Hooks           `json:"hooks,omitzero"`
}

// Hooks are the release's hook workflows: OnStart before the first environment, OnSuccess or
// OnFail at the end (OnFail also after termination). Empty names run nothing.
type Hooks struct {
	OnStart   string `json:"onStart,omitempty"`
	OnSuccess string `json:"onSuccess,omitempty"`
	OnFail    string `json:"onFail,omitempty"`
}

// EnvironmentHooks are the workflows run around one target environment: Pre before its
// applications, Post after all of them succeeded, OnFail when it fails or is terminated.
type EnvironmentHooks struct {
	Pre    string `json:"pre,omitempty"`
	Post   string `json:"post,omitempty"`
	OnFail string `json:"onFail,omitempty"`
}

// Target is an application a release reads from or writes to.
type Target struct {
	Environment string `json:"environment"`
	Name        string `json:"name"`
	RepoURL     string `json:"repoURL"`
	Branch      string `json:"branch"`
	Path        string `json:"path"`
	// ArgocdServer and ArgocdApp link the application to Argo CD for verification; empty when
	// it is not linked.
	ArgocdServer string `json:"argocdServer,omitempty"`
	ArgocdApp    string `json:"argocdApp,omitempty"`
	// HealthURL is checked for a 2xx answer after a promotion when there is no Argo CD link.
	HealthURL string `json:"healthURL,omitempty"`
}

// Environment is one environment's part in a release.
type Environment struct {
	Name         string
	Kind         string // production or non-production
	IsTrigger    bool
	Hooks        EnvironmentHooks
	DependsOn    []string
	Settings     Settings
	Status       string
	Blocker      string
	Error        string
	StartedAt    *time.Time
	FinishedAt   *time.Time
	Applications []Application
	// FreezeOverride, when set, says who let this release through the freeze windows of the
	// environment and why; a manual freeze still holds it.
	FreezeOverride string
	// Soak holds the environment until those it depends on have run the version long enough.
	Soak Soak
}

// Soak is how long every environment another depends on must have run the release's version,
// counted from when it succeeded there, before that one starts; with Health its applications
// must also be healthy then. The zero value is no soak.
type Soak struct {
	After  time.Duration
	Health bool
}

// Settings are the resolved promotion settings of one environment, each with where it came from.
type Settings struct {
	PreAction  Setting `json:"preAction"`
	Action     Setting `json:"action"`
	PostAction Setting `json:"postAction"`
}

// Setting is one resolved value and its origin (a policy's name, "flow step" or "request").
type Setting struct {
	Value  string `json:"value"`
	Origin string `json:"origin"`
}

// Actions a promotion may take.
const (
	ActionCommit      = "commit"
	ActionPullRequest = "pull-request"
	ActionNone        = "none"
)

// Application is one application's promotion inside a release environment.
type Application struct {
	Target
	Phase          string // what happens next: action, verify or done
	Status         string
	CommitSHA      string
	PullRequestURL string
	Result         string
	Error          string
	StartedAt      *time.Time
	FinishedAt     *time.Time
	PhaseStartedAt *time.Time // when the current phase began (verify timeouts count from here)
}

// Blocker sentences that mean an environment waits on people rather than on Ladder; while an
// application of an environment waits with one of them, the environment is SUSPENDED.
const (
	BlockerMerge    = "waiting for pull request merge"
	BlockerApproval = "waiting for approval"
)

// Application phases, in order: pre-action workflow, promotion action, waiting for the
// pull request to merge (pull-request action only), verification, post-action workflow.
const (
	PhasePre    = "pre"
	PhaseAction = "action"
	PhaseMerge  = "merge"
	PhaseVerify = "verify"
	PhasePost   = "post"
	PhaseDone   = "done"
)

// Event is one thing that happened to a release.
type Event struct {
	ID        int64
	ReleaseID string
	Kind      string // release, environment, application
	Subject   string // the environment or application concerned
	Message   string
	At        time.Time
}
