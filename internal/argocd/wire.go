package argocd

// The JSON Argo CD's REST API answers with, reduced to what Ladder reads; the field names are
// those of argoproj/argo-cd pkg/apis/application/v1alpha1/types.go.

type sourceJSON struct {
	RepoURL        string `json:"repoURL"`
	Path           string `json:"path"`
	TargetRevision string `json:"targetRevision"`
	Chart          string `json:"chart"`
}

type appJSON struct {
	Metadata struct {
		Name        string            `json:"name"`
		Namespace   string            `json:"namespace"`
		Annotations map[string]string `json:"annotations"`
		Labels      map[string]string `json:"labels"`
	} `json:"metadata"`
	Spec struct {
		Project        string       `json:"project"`
		Source         *sourceJSON  `json:"source"`
		Sources        []sourceJSON `json:"sources"`
		SourceHydrator *struct {
			DrySource sourceJSON `json:"drySource"`
		} `json:"sourceHydrator"`
		Destination Destination `json:"destination"`
	} `json:"spec"`
	Status struct {
		Sync struct {
			Status    string   `json:"status"`
			Revision  string   `json:"revision"`
			Revisions []string `json:"revisions"`
		} `json:"sync"`
		Health struct {
			Status  string `json:"status"`
			Message string `json:"message"`
		} `json:"health"`
		OperationState *struct {
			Operation struct {
				Sync *struct {
					Revision  string   `json:"revision"`
					Revisions []string `json:"revisions"`
				} `json:"sync"`
			} `json:"operation"`
			Phase      string `json:"phase"`
			Message    string `json:"message"`
			SyncResult *struct {
				Revision  string   `json:"revision"`
				Revisions []string `json:"revisions"`
			} `json:"syncResult"`
		} `json:"operationState"`
		Conditions []Condition `json:"conditions"`
		Resources  []struct {
			Group     string `json:"group"`
			Kind      string `json:"kind"`
			Namespace string `json:"namespace"`
			Name      string `json:"name"`
			Health    *struct {
				Status  string `json:"status"`
				Message string `json:"message"`
			} `json:"health"`
		} `json:"resources"`
		SourceHydrator struct {
			LastSuccessfulOperation *struct {
				DrySHA      string `json:"drySHA"`
				HydratedSHA string `json:"hydratedSHA"`
			} `json:"lastSuccessfulOperation"`
		} `json:"sourceHydrator"`
	} `json:"status"`
}

type appListJSON struct {
	Items []appJSON `json:"items"`
}

func (s sourceJSON) source() Source {
	return Source{RepoURL: s.RepoURL, Path: s.Path, TargetRevision: s.TargetRevision, Chart: s.Chart}
}

// application turns the JSON into an Application.
func (j appJSON) application() Application {
	a := Application{Name: j.Metadata.Name, Namespace: j.Metadata.Namespace, Project: j.Spec.Project,
		Annotations: j.Metadata.Annotations, Labels: j.Metadata.Labels, Destination: j.Spec.Destination,
		SyncStatus: j.Status.Sync.Status, Health: j.Status.Health.Status, HealthMessage: j.Status.Health.Message,
		Conditions: j.Status.Conditions}
	switch {
	case j.Spec.SourceHydrator != nil:
		a.Hydrator = true
		a.Sources = []Source{j.Spec.SourceHydrator.DrySource.source()}
	case len(j.Spec.Sources) > 0:
		for _, s := range j.Spec.Sources {
			a.Sources = append(a.Sources, s.source())
		}
	case j.Spec.Source != nil:
		a.Sources = []Source{j.Spec.Source.source()}
	}
	a.Revisions = revisions(j.Status.Sync.Revision, j.Status.Sync.Revisions)
	if op := j.Status.SourceHydrator.LastSuccessfulOperation; op != nil {
		a.DrySHA, a.HydratedSHA = op.DrySHA, op.HydratedSHA
	}
	if op := j.Status.OperationState; op != nil {
		a.Operation = &Operation{Phase: op.Phase, Message: op.Message}
		switch {
		case op.SyncResult != nil:
			a.Operation.Revisions = revisions(op.SyncResult.Revision, op.SyncResult.Revisions)
		case op.Operation.Sync != nil:
			a.Operation.Revisions = revisions(op.Operation.Sync.Revision, op.Operation.Sync.Revisions)
		}
	}
	for _, r := range j.Status.Resources {
		res := Resource{Group: r.Group, Kind: r.Kind, Namespace: r.Namespace, Name: r.Name}
		if r.Health != nil {
			res.Health, res.HealthMessage = r.Health.Status, r.Health.Message
		}
		a.Resources = append(a.Resources, res)
	}
	return a
}

// revisions returns the multi-source list when there is one, else the single revision.
func revisions(one string, many []string) []string {
	if len(many) > 0 {
		return many
	}
	if one != "" {
		return []string{one}
	}
	return nil
}
