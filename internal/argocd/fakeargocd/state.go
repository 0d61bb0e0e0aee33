package fakeargocd

import (
	"errors"
	"fmt"
	"strings"
)

// Put adds or replaces an application; an empty namespace is Argo CD's own, an empty project
// "default".
func (f *Server) Put(a Application) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if a.Metadata.Namespace == "" {
		a.Metadata.Namespace = Namespace
	}
	if a.Spec.Project == "" {
		a.Spec.Project = "default"
	}
	f.apps[a.Metadata.Namespace+"/"+a.Metadata.Name] = &a
	f.touch(&a)
}

// Delete removes an application.
func (f *Server) Delete(ref string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.apps, key(ref))
}

// Update changes an application as the controller would; it panics on an unknown one.
func (f *Server) Update(ref string, change func(*Application)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	a := f.apps[key(ref)]
	if a == nil {
		panic("fakeargocd: no application " + ref)
	}
	change(a)
	f.touch(a)
}

func (f *Server) touch(a *Application) {
	f.version++
	a.Metadata.ResourceVersion = fmt.Sprint(f.version)
}

func key(ref string) string {
	if strings.Contains(ref, "/") {
		return ref
	}
	return Namespace + "/" + ref
}

// Refreshes counts the reads of ref that asked for a refresh.
func (f *Server) Refreshes(ref string) int { return f.count(f.refreshes, ref) }

// Gets counts the reads of ref.
func (f *Server) Gets(ref string) int { return f.count(f.gets, ref) }

// Syncs counts the syncs of ref that were started.
func (f *Server) Syncs(ref string) int { return f.count(f.syncs, ref) }

func (f *Server) count(m map[string]int, ref string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return m[key(ref)]
}

// Compared sets status.sync as controller/state.go's CompareAppState does: a multi-source
// application gets revisions[] in spec.sources order and no revision; a single source gets
// revision.
func (a *Application) Compared(status string, revisions ...string) {
	a.Status.Sync.Status = status
	a.Status.Sync.Revision, a.Status.Sync.Revisions = "", nil
	a.Status.Sync.ComparedTo.Destination = a.Spec.Destination
	if a.multiSource() {
		a.Status.Sync.Revisions = revisions
		a.Status.Sync.ComparedTo.Sources = a.Spec.Sources
		return
	}
	a.Status.Sync.ComparedTo.Source = a.Spec.Source
	if len(revisions) > 0 {
		a.Status.Sync.Revision = revisions[0]
	}
}

// Operation sets status.operationState with a sync result for revisions (ordered like
// Compared's). Phases are synccommon's: Running, Terminating, Succeeded, Failed, Error.
func (a *Application) Operation(phase, message string, revisions ...string) {
	op := &OperationState{Phase: phase, Message: message, StartedAt: "2026-01-01T00:00:00Z"}
	res := &SyncResult{}
	if a.multiSource() {
		res.Revisions = revisions
		op.Operation.Sync = &SyncOperation{Revisions: revisions}
	} else if len(revisions) > 0 {
		res.Revision = revisions[0]
		op.Operation.Sync = &SyncOperation{Revision: revisions[0]}
	}
	op.SyncResult = res
	if phase != "Running" && phase != "Terminating" {
		op.FinishedAt = "2026-01-01T00:01:00Z"
	}
	a.Status.OperationState = op
}

// Hydrated records a successful hydration of drySHA into hydratedSHA
// (status.sourceHydrator.lastSuccessfulOperation); Argo CD then compares and syncs the
// hydrated commit, so sync.revision is hydratedSHA.
func (a *Application) Hydrated(drySHA, hydratedSHA string) {
	a.Status.SourceHydrator.LastSuccessfulOperation = &HydrateOperation{DrySHA: drySHA, HydratedSHA: hydratedSHA}
}

// Healthy sets the application and all its resources Healthy.
func (a *Application) Healthy() {
	a.Status.Health = Health{Status: "Healthy"}
	for i := range a.Status.Resources {
		a.Status.Resources[i].Health = &Health{Status: "Healthy"}
	}
}

// ResourceHealth sets one resource's health and derives the application's as
// controller/health.go does: the worst resource health, with the message "Caused by
// group/Kind:namespace/name" naming the resources at that health (since Argo CD 3.5).
func (a *Application) ResourceHealth(kind, name, status, message string) {
	for i, r := range a.Status.Resources {
		if r.Kind == kind && r.Name == name {
			a.Status.Resources[i].Health = &Health{Status: status, Message: message}
		}
	}
	a.Status.Health = Health{Status: status}
	var causes []string
	for _, r := range a.Status.Resources {
		if r.Health != nil && r.Health.Status == status && status != "Healthy" {
			gk := r.Kind
			if r.Group != "" {
				gk = r.Group + "/" + r.Kind
			}
			causes = append(causes, gk+":"+r.Namespace+"/"+r.Name)
		}
	}
	if len(causes) > 0 {
		a.Status.Health.Message = "Caused by " + strings.Join(causes, ", ")
	}
}

// selector is an equality-based label selector: "k=v", "k!=v", "k" (exists), comma-joined.
type selector []struct {
	key, value string
	op         string // "=", "!=", "exists"
}

func parseSelector(s string) (selector, error) {
	var out selector
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		var r struct{ key, value, op string }
		switch {
		case strings.Contains(part, "!="):
			r.key, r.value, _ = strings.Cut(part, "!=")
			r.op = "!="
		case strings.Contains(part, "="):
			r.key, r.value, _ = strings.Cut(strings.Replace(part, "==", "=", 1), "=")
			r.op = "="
		default:
			r.key, r.op = part, "exists"
		}
		if r.key = strings.TrimSpace(r.key); r.key == "" {
			return nil, errors.New("found '" + part + "', expected: identifier")
		}
		r.value = strings.TrimSpace(r.value)
		out = append(out, r)
	}
	return out, nil
}

func (s selector) matches(labels map[string]string) bool {
	for _, r := range s {
		v, ok := labels[r.key]
		switch {
		case r.op == "exists" && !ok, r.op == "=" && v != r.value, r.op == "!=" && ok && v == r.value:
			return false
		}
	}
	return true
}
