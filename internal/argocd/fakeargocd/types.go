// Package fakeargocd serves Argo CD's application REST API for tests, built from
// argoproj/argo-cd's source: the JSON follows pkg/apis/application/v1alpha1/types.go, the
// endpoints, refresh, appNamespace, RBAC answers and error bodies follow
// server/application/application.go (errors as grpc-gateway writes them), sync status
// revisions follow controller/state.go, and application health messages follow
// controller/health.go. Tests set what the controller would report; the fake never deploys.
package fakeargocd

// Source is an ApplicationSource (types.go).
type Source struct {
	RepoURL        string `json:"repoURL"`
	Path           string `json:"path,omitempty"`
	TargetRevision string `json:"targetRevision,omitempty"`
	Chart          string `json:"chart,omitempty"`
	Ref            string `json:"ref,omitempty"`
}

// Destination is an ApplicationDestination (types.go).
type Destination struct {
	Server    string `json:"server,omitempty"`
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name,omitempty"`
}

// SourceHydrator is spec.sourceHydrator (types.go): a dry source rendered into a sync source.
type SourceHydrator struct {
	DrySource  Source `json:"drySource"`
	SyncSource struct {
		TargetBranch string `json:"targetBranch"`
		Path         string `json:"path"`
	} `json:"syncSource"`
}

// Metadata is the part of ObjectMeta Argo CD's answers carry that Ladder may read.
type Metadata struct {
	Name            string            `json:"name"`
	Namespace       string            `json:"namespace"`
	Annotations     map[string]string `json:"annotations,omitempty"`
	Labels          map[string]string `json:"labels,omitempty"`
	ResourceVersion string            `json:"resourceVersion"`
}

// Spec is an ApplicationSpec (types.go).
type Spec struct {
	Source         *Source         `json:"source,omitempty"`
	Destination    Destination     `json:"destination"`
	Project        string          `json:"project"`
	Sources        []Source        `json:"sources,omitempty"`
	SourceHydrator *SourceHydrator `json:"sourceHydrator,omitempty"`
}

// Health is a HealthStatus / AppHealthStatus (types.go).
type Health struct {
	Status  string `json:"status,omitempty"`
	Message string `json:"message,omitempty"`
}

// Resource is a ResourceStatus (types.go).
type Resource struct {
	Group     string  `json:"group,omitempty"`
	Version   string  `json:"version,omitempty"`
	Kind      string  `json:"kind,omitempty"`
	Namespace string  `json:"namespace,omitempty"`
	Name      string  `json:"name,omitempty"`
	Status    string  `json:"status,omitempty"`
	Health    *Health `json:"health,omitempty"`
	Hook      bool    `json:"hook,omitempty"`
	SyncWave  int64   `json:"syncWave,omitempty"`
}

// Condition is an ApplicationCondition (types.go).
type Condition struct {
	Type    string `json:"type"`
	Message string `json:"message"`
}

// SyncStatus is status.sync (types.go).
type SyncStatus struct {
	Status     string `json:"status"`
	ComparedTo struct {
		Source      *Source     `json:"source,omitempty"`
		Destination Destination `json:"destination"`
		Sources     []Source    `json:"sources,omitempty"`
	} `json:"comparedTo"`
	Revision  string   `json:"revision,omitempty"`
	Revisions []string `json:"revisions,omitempty"`
}

// SyncOperation is operation.sync (types.go).
type SyncOperation struct {
	Revision  string   `json:"revision,omitempty"`
	Revisions []string `json:"revisions,omitempty"`
	Prune     bool     `json:"prune,omitempty"`
}

// SyncResult is a SyncOperationResult (types.go).
type SyncResult struct {
	Revision  string   `json:"revision"`
	Revisions []string `json:"revisions,omitempty"`
}

// OperationState is status.operationState (types.go).
type OperationState struct {
	Operation struct {
		Sync *SyncOperation `json:"sync,omitempty"`
	} `json:"operation"`
	Phase      string      `json:"phase"`
	Message    string      `json:"message,omitempty"`
	SyncResult *SyncResult `json:"syncResult,omitempty"`
	StartedAt  string      `json:"startedAt"`
	FinishedAt string      `json:"finishedAt,omitempty"`
	RetryCount int64       `json:"retryCount,omitempty"`
}

// HydrateOperation is status.sourceHydrator.lastSuccessfulOperation (types.go).
type HydrateOperation struct {
	DrySHA      string `json:"drySHA,omitempty"`
	HydratedSHA string `json:"hydratedSHA,omitempty"`
}

// Status is an ApplicationStatus (types.go).
type Status struct {
	Resources      []Resource      `json:"resources,omitempty"`
	Sync           SyncStatus      `json:"sync"`
	Health         Health          `json:"health"`
	Conditions     []Condition     `json:"conditions,omitempty"`
	ReconciledAt   string          `json:"reconciledAt,omitempty"`
	OperationState *OperationState `json:"operationState,omitempty"`
	SourceHydrator struct {
		LastSuccessfulOperation *HydrateOperation `json:"lastSuccessfulOperation,omitempty"`
	} `json:"sourceHydrator"`
}

// Application is an argoproj.io/v1alpha1 Application as the API answers it.
type Application struct {
	Metadata Metadata `json:"metadata"`
	Spec     Spec     `json:"spec"`
	Status   Status   `json:"status"`
}

func (a Application) multiSource() bool { return len(a.Spec.Sources) > 0 }
