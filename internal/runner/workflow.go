package runner

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"ladder/db"
	"ladder/internal/release"
	"ladder/internal/workflow"
)

// Workflows gives the runner the workflows of the model.
type Workflows interface {
	Get(ctx context.Context, name string) (workflow.Workflow, error)
}

// Scopes a workflow runs in.
const (
	scopePre       = "pre"         // an application's pre-action
	scopePost      = "post"        // an application's post-action
	scopeHookPre   = "hook-pre"    // an environment's pre hook
	scopeHookPost  = "hook-post"   // an environment's post hook
	scopeHookFail  = "hook-onFail" // an environment's onFail hook
	scopeOnStart   = "onStart"     // the release's hooks
	scopeOnSuccess = "onSuccess"
	scopeOnFail    = "onFail"
)

// scope is one place a workflow runs in a release.
type scope struct {
	kind     string
	workflow string
	rel      release.Release
	env      release.Environment // zero for release hooks
	app      release.Application // zero for hooks
	// run tells runs of the same scope apart: when the application, environment or release
	// (re)started, so a retried release runs its workflows afresh.
	run int64
}

// onFail reports whether the scope is an onFail hook (the release's or an environment's):
// one that runs while its scope fails or is terminated.
func (sc scope) onFail() bool { return sc.kind == scopeOnFail || sc.kind == scopeHookFail }

// label names the scope in messages: "pre-action smoke", "pre hook notify", "onFail hook page".
func (sc scope) label() string {
	switch sc.kind {
	case scopePre:
		return "pre-action " + sc.workflow
	case scopePost:
		return "post-action " + sc.workflow
	case scopeHookPre:
		return "pre hook " + sc.workflow
	case scopeHookPost:
		return "post hook " + sc.workflow
	case scopeHookFail:
		return "onFail hook " + sc.workflow
	}
	return sc.kind + " hook " + sc.workflow
}

// job is the job that runs the scope's workflow.
func (sc scope) job() (kind, env, app string) {
	if sc.kind == scopePre || sc.kind == scopePost {
		return jobApplication, sc.env.Name, sc.app.Name
	}
	return jobHook, sc.env.Name, sc.kind
}

// subject is what the scope's events are about.
func (sc scope) subject() string {
	switch {
	case sc.app.Name != "":
		return sc.env.Name + "/" + sc.app.Name
	case sc.env.Name != "":
		return sc.env.Name
	}
	return ""
}

func millis(t *time.Time) int64 {
	if t == nil {
		return 0
	}
	return t.UnixMilli()
}

// wfResult is where a workflow run stands: Status is release.Succeeded, Failed or Terminated
// once it ended, empty while it waits until Retry for the reason in Blocker.
type wfResult struct {
	Status  string
	Error   string
	Retry   time.Time
	Blocker string
}

// runPreAction runs the environment's pre-action workflow for one application.
func (r *Runner) runPreAction(ctx context.Context, rel release.Release, env release.Environment, app release.Application) (outcome, error) {
	return r.phaseWorkflow(ctx, scope{kind: scopePre, workflow: env.Settings.PreAction.Value, rel: rel, env: env, app: app, run: millis(app.StartedAt)})
}

// runPostAction runs the environment's post-action workflow for one application.
func (r *Runner) runPostAction(ctx context.Context, rel release.Release, env release.Environment, app release.Application) (outcome, error) {
	return r.phaseWorkflow(ctx, scope{kind: scopePost, workflow: env.Settings.PostAction.Value, rel: rel, env: env, app: app, run: millis(app.StartedAt)})
}

func (r *Runner) phaseWorkflow(ctx context.Context, sc scope) (outcome, error) {
	res, err := r.runWorkflow(ctx, sc)
	if err != nil {
		return outcome{}, err
	}
	switch res.Status {
	case release.Succeeded:
		return outcome{Done: true, Message: sc.app.Name + ": " + sc.label() + " succeeded"}, nil
	case release.Failed:
		return outcome{Failed: sc.label() + ": " + res.Error}, nil
	case release.Terminated:
		// The release is ending; its advance job settles the application.
		return outcome{Retry: r.now().Add(time.Second)}, nil
	}
	return outcome{Retry: res.Retry, Blocker: res.Blocker}, nil
}

// runWorkflow starts or continues the workflow of scope sc, step by step. A step recorded as
// finished is never run again; one cut short by a crash is started again from the beginning.
func (r *Runner) runWorkflow(ctx context.Context, sc scope) (wfResult, error) {
	row, wf, err := r.workflowRun(ctx, sc)
	if err != nil || release.Final(row.Status) {
		return wfResult{Status: row.Status, Error: row.Error}, err
	}
	deadline := row.StartedAt.Add(wf.Timeout)
	if !r.now().Before(deadline) {
		return r.endWorkflow(ctx, sc, row, release.Failed, fmt.Sprintf("timed out after %s (the workflow's timeout)", wf.Timeout))
	}
	base, err := r.baseParams(ctx, sc)
	if err != nil {
		return wfResult{}, err
	}
	for i, st := range wf.Steps {
		res, err := r.runStep(ctx, stepCall{r: r, sc: sc, wfRun: row, index: i, step: st, deadline: deadline}, base)
		if err != nil {
			return wfResult{}, err
		}
		switch res.status {
		case release.Succeeded:
			continue
		case "":
			return wfResult{Retry: earliest(res.retry, deadline), Blocker: res.blocker + " — " + sc.label() + ", step " + st.Name}, nil
		}
		return r.endWorkflow(ctx, sc, row, res.status, "step "+st.Name+": "+res.err)
	}
	return r.endWorkflow(ctx, sc, row, release.Succeeded, "")
}

func earliest(a, b time.Time) time.Time {
	if a.IsZero() || b.Before(a) {
		return b
	}
	return a
}

// workflowRun returns the scope's run, creating it with the workflow as it is now; a run keeps
// that definition even if the workflow is edited meanwhile.
func (r *Runner) workflowRun(ctx context.Context, sc scope) (db.WorkflowRun, workflow.Workflow, error) {
	q := db.New(r.conn)
	row, err := q.GetWorkflowRun(ctx, db.GetWorkflowRunParams{ReleaseID: sc.rel.ID, Environment: sc.env.Name,
		Application: sc.app.Name, Scope: sc.kind, Run: sc.run})
	if errors.Is(err, sql.ErrNoRows) {
		row, err = r.createWorkflowRun(ctx, sc)
	}
	if err != nil {
		return db.WorkflowRun{}, workflow.Workflow{}, err
	}
	var wf workflow.Workflow
	if err := json.Unmarshal([]byte(row.Definition), &wf); err != nil {
		return db.WorkflowRun{}, workflow.Workflow{}, fmt.Errorf("workflow run %d: read definition: %w", row.ID, err)
	}
	if wf.Timeout <= 0 {
		wf.Timeout = workflow.DefaultTimeout
	}
	return row, wf, nil
}

func (r *Runner) createWorkflowRun(ctx context.Context, sc scope) (db.WorkflowRun, error) {
	if r.opts.Workflows == nil {
		return db.WorkflowRun{}, errors.New("the runner has no workflows to run")
	}
	wf, err := r.opts.Workflows.Get(ctx, sc.workflow)
	if err != nil {
		return db.WorkflowRun{}, err
	}
	def, err := json.Marshal(wf)
	if err != nil {
		return db.WorkflowRun{}, fmt.Errorf("encode workflow %s: %w", wf.Name, err)
	}
	var row db.WorkflowRun
	err = r.releases.Change(ctx, sc.rel.ID, func(tx *release.Tx) error {
		row, err = tx.StartWorkflowRun(db.StartWorkflowRunParams{Environment: sc.env.Name,
			Application: sc.app.Name, Scope: sc.kind, Run: sc.run, Workflow: sc.workflow, Definition: string(def)},
			sc.subject(), sc.label()+" started")
		return err
	})
	return row, err
}

// endWorkflow records how a workflow run ended.
func (r *Runner) endWorkflow(ctx context.Context, sc scope, row db.WorkflowRun, status, reason string) (wfResult, error) {
	if status != release.Succeeded {
		r.stopArgoRun(ctx, sc.rel.ID, row.ID)
	}
	err := r.releases.Change(ctx, sc.rel.ID, func(tx *release.Tx) error {
		msg := fmt.Sprintf("%s %s in %s", sc.label(), verb(status), tx.Now().Sub(row.StartedAt).Round(time.Second))
		if reason != "" {
			msg += ": " + reason
		}
		return tx.FinishWorkflowRun(row.ID, status, reason, sc.subject(), msg)
	})
	return wfResult{Status: status, Error: reason}, err
}

func verb(status string) string {
	switch status {
	case release.Succeeded:
		return "succeeded"
	case release.Terminated:
		return "was terminated"
	}
	return "failed"
}
