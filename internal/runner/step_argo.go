package runner

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"

	"ladder/db"
	"ladder/internal/argowf"
	"ladder/internal/fault"
	"ladder/internal/release"
	"ladder/internal/workflow"
)

// ArgoWorkflows submits and follows workflows on the Argo Workflows servers Ladder knows.
type ArgoWorkflows interface {
	Submit(ctx context.Context, server string, s argowf.Submit) (string, error)
	Workflow(ctx context.Context, server, name string) (argowf.Workflow, error)
	Logs(ctx context.Context, server, name string, cursor argowf.LogCursor) ([]argowf.LogLine, error)
	Resume(ctx context.Context, server, name string) error
	Terminate(ctx context.Context, server, name string) error
}

// BlockerArgoSuspended starts the blocker of an argo step whose workflow waits to be resumed.
const BlockerArgoSuspended = "Argo workflow suspended"

func (d Deploy) argoPoll() time.Duration { return orDuration(d.ArgoPoll, 5*time.Second) }

// argoStep hands a check to Argo Workflows: it submits a workflow from a WorkflowTemplate (or
// ClusterWorkflowTemplate) with the step's parameters, then looks at it every ArgoPoll, copying
// its new log lines, until it ends or the step's timeout passes. The workflow's name is stored before the step waits, so a restarted Ladder follows the
// same workflow. Between looks the step waits as its job being due again, holding no worker.
type argoStep struct{ spec *workflow.ArgoStep }

func (a argoStep) run(ctx context.Context, c *stepCall) stepResult {
	argo := c.r.opts.Deploy.Argo
	if argo == nil {
		return failed("Argo Workflows is not configured on this server")
	}
	q := db.New(c.r.conn)
	wf, err := q.CreateArgoStepWorkflow(ctx, db.CreateArgoStepWorkflowParams{StepRunID: c.row.ID,
		ReleaseID: c.sc.rel.ID, Server: a.spec.Server, Name: argoName(a.spec.Template, c)})
	if err != nil {
		return a.retry(c, fmt.Errorf("record the Argo workflow: %w", err), "cannot record the Argo workflow")
	}
	if !wf.Submitted {
		if res, ok := a.submit(ctx, c, wf); !ok {
			return res
		}
		wf.Submitted = true
	}
	return a.follow(ctx, c, wf)
}

// submit submits the step's workflow; it reports false with the step's result when it could
// not. A workflow of that name already there was submitted before a crash: it is followed.
func (a argoStep) submit(ctx context.Context, c *stepCall, wf db.ArgoStepWorkflow) (stepResult, bool) {
	params, err := a.parameters(c.params)
	if err != nil {
		return failed("%v", err), false
	}
	_, err = c.r.opts.Deploy.Argo.Submit(ctx, wf.Server, argowf.Submit{Template: a.spec.Template, Cluster: a.spec.ClusterTemplate,
		Name: wf.Name, Parameters: params, Labels: argoLabels(c)})
	switch {
	case err != nil && argowf.IsStatus(err, 409):
		c.log.Printf("Argo workflow %s was already submitted; following it", wf.Name)
	case err != nil:
		return a.retry(c, err, "cannot submit template "+a.spec.Template), false
	default:
		c.log.Printf("submitted Argo workflow %s from template %s on %s", wf.Name, a.spec.Template, wf.Server)
	}
	if err := db.New(c.r.conn).SetArgoStepWorkflow(ctx, db.SetArgoStepWorkflowParams{StepRunID: wf.StepRunID,
		Submitted: true, LogCursor: wf.LogCursor}); err != nil {
		return a.retry(c, fmt.Errorf("record the submission: %w", err), "cannot record the Argo workflow"), false
	}
	return stepResult{}, true
}

// follow looks at the workflow once: its new log lines go to the step's log, its end ends the
// step, and its output parameters become the step's outputs. A suspended workflow waits for
// someone to resume it; past the step's own timeout the workflow is terminated.
func (a argoStep) follow(ctx context.Context, c *stepCall, wf db.ArgoStepWorkflow) stepResult {
	argo := c.r.opts.Deploy.Argo
	w, err := argo.Workflow(ctx, wf.Server, wf.Name)
	if err != nil {
		if argowf.IsStatus(err, 404) {
			return failed("Argo workflow %s no longer exists on %s", wf.Name, wf.Server)
		}
		return a.retry(c, err, "cannot read workflow "+wf.Name)
	}
	a.copyLogs(ctx, c, wf)
	if w.Done() {
		_ = db.New(c.r.conn).FinishArgoStepWorkflow(ctx, wf.StepRunID) // at worst it is terminated once more
	}
	switch w.Phase {
	case argowf.Succeeded:
		c.log.Printf("Argo workflow %s Succeeded", wf.Name)
		return succeeded(argoOutputs(w.Outputs))
	case argowf.Failed, argowf.Error:
		msg := orDefault(w.Message, "no message")
		c.log.Printf("Argo workflow %s %s: %s", wf.Name, w.Phase, msg)
		return failed("Argo workflow %s %s: %s", wf.Name, w.Phase, msg)
	}
	if limit := a.spec.TimeoutOr(0); limit > 0 && c.r.now().Sub(c.row.StartedAt) > limit {
		return a.timeOut(ctx, c, wf, limit)
	}
	next := c.r.now().Add(c.r.opts.Deploy.argoPoll())
	if w.Suspended {
		at := ""
		if w.SuspendedAt != "" {
			at = " at " + w.SuspendedAt
		}
		return waiting(next, fmt.Sprintf("%s: %s%s on %s waits to be resumed", BlockerArgoSuspended, wf.Name, at, wf.Server))
	}
	return waiting(next, fmt.Sprintf("Argo workflow %s is %s on %s", wf.Name, orDefault(w.Phase, argowf.Pending), wf.Server))
}

// timeOut terminates a workflow that outlived the step's timeout and fails the step.
func (a argoStep) timeOut(ctx context.Context, c *stepCall, wf db.ArgoStepWorkflow, limit time.Duration) stepResult {
	err := c.r.opts.Deploy.Argo.Terminate(ctx, wf.Server, wf.Name)
	if err != nil && !argowf.IsStatus(err, 404) {
		return a.retry(c, err, "cannot terminate workflow "+wf.Name+" after the step's timeout")
	}
	_ = db.New(c.r.conn).FinishArgoStepWorkflow(ctx, wf.StepRunID)
	c.log.Printf("terminated Argo workflow %s: the step's timeout of %s passed", wf.Name, limit)
	return failed("timed out after %s (the step's timeout); Argo workflow %s terminated", limit, wf.Name)
}

// copyLogs appends the log lines of the workflow not copied yet, read from where the stored
// cursor stands; a log that cannot be read now is read at the next look. The moved cursor is
// stored with the step's log, so lines are neither lost nor copied twice when the record fails.
func (a argoStep) copyLogs(ctx context.Context, c *stepCall, wf db.ArgoStepWorkflow) {
	cursor := argowf.LogCursor{}
	if c.row.Log != "" { // an empty log: the step started again and copies the whole log
		_ = json.Unmarshal([]byte(wf.LogCursor), &cursor)
	}
	lines, err := c.r.opts.Deploy.Argo.Logs(ctx, wf.Server, wf.Name, cursor)
	if err != nil {
		return
	}
	fresh := cursor.Take(lines)
	for _, l := range fresh {
		c.log.Printf("%s", strings.TrimRight(l.Content, "\n"))
	}
	if len(fresh) > 0 {
		b, _ := json.Marshal(cursor) // a map of plain values always encodes
		c.alongLog = append(c.alongLog, func(tx *release.Tx) error {
			return tx.SetArgoStepWorkflow(db.SetArgoStepWorkflowParams{StepRunID: wf.StepRunID, Submitted: true, LogCursor: string(b)})
		})
	}
}

// retry waits after an error the server may recover from, backing off from ArgoPoll to a
// minute; an error it will not recover from fails the step.
func (a argoStep) retry(c *stepCall, err error, what string) stepResult {
	if errors.Is(err, fault.ErrNotFound) || !argowf.Transient(err) {
		return failed("Argo Workflows server %s: %s: %v", a.spec.Server, what, err)
	}
	tries := c.row.Tries + 1
	wait := min(c.r.opts.Deploy.argoPoll()<<min(tries-1, 10), time.Minute)
	c.log.Printf("Argo Workflows server %s: %s: %v (try %d; next in %s)", a.spec.Server, what, err, tries, wait)
	res := waiting(c.r.now().Add(wait), fmt.Sprintf("Argo Workflows server %s unreachable: %v", a.spec.Server, err))
	res.tries = tries
	return res
}

// parameters are the step's parameters as KEY=value, sorted, with its own extra parameters
// (templates over the others) last and winning.
func (a argoStep) parameters(p params) ([]string, error) {
	all := maps.Clone(p)
	for _, x := range a.spec.Parameters {
		v, err := p.render("parameter "+x.Name, x.Value)
		if err != nil {
			return nil, err
		}
		all[x.Name] = v
	}
	out := make([]string, 0, len(all))
	for _, k := range slices.Sorted(maps.Keys(all)) {
		out = append(out, k+"="+all[k])
	}
	return out, nil
}

var (
	labelInvalid = regexp.MustCompile(`[^A-Za-z0-9_.-]+`)
	nameInvalid  = regexp.MustCompile(`[^a-z0-9-]+`)
)

// labelValue makes s a valid Kubernetes label value: at most 63 letters, digits, -, _ or .,
// starting and ending with a letter or digit.
func labelValue(s string) string {
	s = labelInvalid.ReplaceAllString(s, "-")
	if len(s) > 63 {
		s = s[:63]
	}
	return strings.Trim(s, "-_.")
}

// argoLabels identify the product, release and environment (and application) of a workflow.
func argoLabels(c *stepCall) string {
	labels := []string{"ladder/product=" + labelValue(c.sc.rel.Product), "ladder/release=" + labelValue(c.sc.rel.ID)}
	if c.sc.env.Name != "" {
		labels = append(labels, "ladder/environment="+labelValue(c.sc.env.Name))
	}
	if c.sc.app.Name != "" {
		labels = append(labels, "ladder/application="+labelValue(c.sc.app.Name))
	}
	return strings.Join(labels, ",")
}

// argoName is the workflow's name, the same for every attempt of the step run: a submission
// repeated after a crash finds the first one (409) instead of making a second.
func argoName(template string, c *stepCall) string {
	prefix := strings.Trim(nameInvalid.ReplaceAllString(strings.ToLower(template), "-"), "-")
	if len(prefix) > 30 {
		prefix = strings.TrimRight(prefix[:30], "-")
	}
	return fmt.Sprintf("%s-%s-%d", prefix, strings.ToLower(c.sc.rel.ID), c.row.ID)
}

// argoOutputs are the workflow's output parameters as outputs: names that cannot be a
// parameter name have their other characters replaced by _ (result-url → result_url).
func argoOutputs(in map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range in {
		k = strings.Map(func(r rune) rune {
			if r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
				return r
			}
			return '_'
		}, k)
		if outputKey.MatchString(k) {
			out[k] = v
		}
	}
	return out
}
