package web

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"ladder/internal/fault"
	"ladder/internal/promotion"
	"ladder/internal/release"
	"ladder/internal/runner"
	"ladder/internal/workflow"
)

// releaseJSON is a release as the API shows it.
type releaseJSON struct {
	ID           string               `json:"id"`
	Number       int64                `json:"number"`
	Product      string               `json:"product"`
	Flow         string               `json:"flow"` // empty for a manual single promotion
	Version      string               `json:"version"`
	Status       string               `json:"status"`
	Blocker      string               `json:"blocker"`
	Error        string               `json:"error"`
	Initiator    string               `json:"initiator"`
	Trigger      commitJSON           `json:"trigger"`
	CreatedAt    time.Time            `json:"createdAt"`
	StartedAt    *time.Time           `json:"startedAt"`
	FinishedAt   *time.Time           `json:"finishedAt"`
	Environments []releaseEnvironment `json:"environments"`
}

// commitJSON is the commit a release was started from.
type commitJSON struct {
	SHA     string `json:"sha"`
	Message string `json:"message"`
	Author  string `json:"author"`
	Branch  string `json:"branch"`
}

// releaseEnvironment is one environment of a release.
type releaseEnvironment struct {
	Name         string               `json:"name"`
	Trigger      bool                 `json:"trigger"`
	DependsOn    []string             `json:"dependsOn"`
	Status       string               `json:"status"`
	Blocker      string               `json:"blocker"`
	Error        string               `json:"error"`
	Settings     release.Settings     `json:"settings"`
	Applications []releaseApplication `json:"applications"`
	// FreezeOverride says who let the release through the environment's freeze windows, and why.
	FreezeOverride string `json:"freezeOverride,omitempty"`
	// Soak is how long the environments it depends on must have run the version first.
	Soak *soakJSON `json:"soak,omitempty"`
}

// releaseApplication is one application's promotion in a release environment.
type releaseApplication struct {
	Name           string `json:"name"`
	Status         string `json:"status"`
	CommitSHA      string `json:"commitSha"`
	PullRequestURL string `json:"pullRequestURL"`
	Result         string `json:"result"`
	Error          string `json:"error"`
}

// releaseListJSON is a page of releases, newest first; next is the `before` of the next page.
type releaseListJSON struct {
	Releases []releaseJSON `json:"releases"`
	Next     string        `json:"next,omitempty"`
}

// releaseRequest starts a release: a flow run (product + flow, optional commit) or a single
// promotion (product + from + to, optional action).
type releaseRequest struct {
	Product string `json:"product"`
	Flow    string `json:"flow,omitempty"`
	Commit  string `json:"commit,omitempty"`
	From    string `json:"from,omitempty"`
	To      string `json:"to,omitempty"`
	Action  string `json:"action,omitempty"`
	// PreAction and PostAction choose the workflows of a single promotion: empty keeps the
	// policies' choice, "-" runs none.
	PreAction  string `json:"preAction,omitempty"`
	PostAction string `json:"postAction,omitempty"`
	// Reason is why an admin lifts a binding policy's setting; it is recorded.
	Reason string `json:"reason,omitempty"`
	// ConfirmPin confirms a promotion into environments where the product is pinned.
	ConfirmPin bool `json:"confirmPin,omitempty"`
}

func releaseOut(r release.Release) releaseJSON {
	out := releaseJSON{ID: r.ID, Number: r.Number, Product: r.Product, Flow: r.Flow, Version: r.Version,
		Status: r.Status, Blocker: r.Blocker, Error: r.Error, Initiator: r.Initiator,
		Trigger:   commitJSON{r.Trigger.SHA, r.Trigger.Message, r.Trigger.Author, r.Trigger.Branch},
		CreatedAt: r.CreatedAt, StartedAt: r.StartedAt, FinishedAt: r.FinishedAt,
		Environments: make([]releaseEnvironment, 0, len(r.Environments))}
	for _, e := range r.Environments {
		env := releaseEnvironment{Name: e.Name, Trigger: e.IsTrigger, DependsOn: e.DependsOn, Status: e.Status,
			Blocker: e.Blocker, Error: e.Error, Settings: e.Settings, Applications: []releaseApplication{},
			FreezeOverride: e.FreezeOverride}
		if env.DependsOn == nil {
			env.DependsOn = []string{}
		}
		env.Soak = soakOut(e.Soak)
		for _, a := range e.Applications {
			env.Applications = append(env.Applications, releaseApplication{a.Name, a.Status, a.CommitSHA,
				a.PullRequestURL, a.Result, a.Error})
		}
		out.Environments = append(out.Environments, env)
	}
	return out
}

// statuses a release may have, for checking the list filter.
var releaseStatuses = []string{release.Queued, release.Running, release.Suspended, release.Succeeded,
	release.Failed, release.Terminating, release.Terminated}

func apiListReleases(rels *release.Service) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		q := r.URL.Query()
		f := release.Filter{Product: q.Get("product"), Status: strings.ToUpper(q.Get("status")), Before: q.Get("before"), Limit: 50}
		fe := fault.FieldErrors{}
		if f.Status != "" && !slices.Contains(releaseStatuses, f.Status) {
			fe.Add("status", "must be one of: "+strings.Join(releaseStatuses, ", "))
		}
		if s := q.Get("limit"); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < 1 || n > 500 {
				fe.Add("limit", "must be a number from 1 to 500")
			}
			f.Limit = n
		}
		if err := fe.Err(); err != nil {
			return err
		}
		list, err := rels.ListDetailed(r.Context(), f)
		if err != nil {
			return err
		}
		body := releaseListJSON{Releases: make([]releaseJSON, 0, len(list))}
		for _, rel := range list {
			body.Releases = append(body.Releases, releaseOut(rel))
		}
		if len(list) == f.Limit {
			body.Next = list[len(list)-1].ID
		}
		return writeJSON(w, http.StatusOK, body)
	}
}

func apiGetRelease(rels *release.Service) handlerFunc {
	return apiGet(func(r *http.Request) (release.Release, error) { return rels.Get(r.Context(), r.PathValue("id")) }, releaseOut)
}

// apiStartRelease starts a release exactly as the start form does, through the same door.
// With ?dryRun=true it answers 200 with what the release would do (planJSON) and starts
// nothing.
func apiStartRelease(promotions *promotion.Service) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		var body releaseRequest
		if err := readJSON(r, &body); err != nil {
			return err
		}
		req := promotion.Request{Product: body.Product, Flow: body.Flow, Commit: body.Commit, From: body.From, To: body.To,
			Action: body.Action, PreAction: body.PreAction, PostAction: body.PostAction, Reason: body.Reason,
			ConfirmPins: body.ConfirmPin}
		switch r.URL.Query().Get("dryRun") {
		case "", "false":
		case "true":
			plan, err := promotions.DryRun(r.Context(), actor(r), req)
			if err != nil {
				return asInput(err)
			}
			return writeJSON(w, http.StatusOK, planOut(plan))
		default:
			return fieldError("dryRun", "must be true or false")
		}
		rel, err := promotions.Start(r.Context(), actor(r), req)
		if err != nil {
			return asInput(err)
		}
		return writeJSON(w, http.StatusCreated, releaseOut(rel))
	}
}

// asInput reports a model entity the request names but that does not exist (or cannot be
// used) as invalid input, as the start form does, rather than as a missing URL.
func asInput(err error) error {
	if errors.Is(err, fault.ErrNotFound) {
		return fault.FieldErrors{"_": err.Error()}
	}
	return err
}

// apiReleaseAction runs act (terminate, retry) on the release in the path for the caller, and
// answers the release.
func apiReleaseAction(rels *release.Service, act func(r *http.Request, id string) error) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id := r.PathValue("id")
		if err := act(r, id); err != nil {
			return err
		}
		rel, err := rels.Get(r.Context(), id)
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, releaseOut(rel))
	}
}

// decisionRequest approves or rejects a waiting approval step of a release. Step (a step run
// ID) and environment are optional: they only choose among several waiting approval steps.
type decisionRequest struct {
	Environment string `json:"environment,omitempty"`
	Step        int64  `json:"step,omitempty"`
	Comment     string `json:"comment,omitempty"`
}

// apiDecide approves (or rejects) the waiting approval step of the release in the path that
// the body chooses, through the same door as the release page, and answers the release.
func apiDecide(promotions *promotion.Service, run *runner.Runner, rels *release.Service, approve bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		var body decisionRequest
		if err := readOptionalJSON(r, &body); err != nil {
			return err
		}
		rel, err := rels.Get(r.Context(), r.PathValue("id"))
		if err != nil {
			return err
		}
		steps, err := run.Steps(r.Context(), rel.ID)
		if err != nil {
			return err
		}
		step, err := waitingApproval(rel, steps, body)
		if err != nil {
			return err
		}
		err = promotions.Decide(r.Context(), actor(r), promotion.Decision{ReleaseID: rel.ID, StepRunID: step.ID,
			Environment: step.Environment, Approve: approve, Comment: body.Comment})
		if err != nil {
			return err
		}
		if rel, err = rels.Get(r.Context(), rel.ID); err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, releaseOut(rel))
	}
}

// waitingApproval is the one approval step of rel waiting for a decision that the request
// chooses: 409 when none waits, 422 (on step) when several do and the request does not say which.
func waitingApproval(rel release.Release, steps []runner.StepRun, body decisionRequest) (runner.StepRun, error) {
	if _, ok := rel.Environment(body.Environment); body.Environment != "" && !ok {
		return runner.StepRun{}, fieldError("environment", "release %d has no environment %q", rel.Number, body.Environment)
	}
	var waiting []runner.StepRun
	var ids []string
	for _, s := range steps {
		if s.Kind == workflow.KindApproval && s.Status == release.Suspended &&
			(body.Step == 0 || s.ID == body.Step) && (body.Environment == "" || s.Environment == body.Environment) {
			waiting = append(waiting, s)
			ids = append(ids, strconv.FormatInt(s.ID, 10)+" ("+s.Label+")")
		}
	}
	switch len(waiting) {
	case 0:
		return runner.StepRun{}, fmt.Errorf("release %d has no approval step waiting for a decision%s: %w", rel.Number, chosen(body), fault.ErrConflict)
	case 1:
		return waiting[0], nil
	}
	return runner.StepRun{}, fieldError("step", "several approval steps are waiting; choose one of: %s", strings.Join(ids, ", "))
}

// chosen describes what a decision request asked for, for the error when nothing matches.
func chosen(body decisionRequest) string {
	var s []string
	if body.Step != 0 {
		s = append(s, "step "+strconv.FormatInt(body.Step, 10))
	}
	if body.Environment != "" {
		s = append(s, "environment "+body.Environment)
	}
	if len(s) == 0 {
		return ""
	}
	return " as " + strings.Join(s, " in ")
}

// readOptionalJSON reads a JSON body into v like readJSON, but an empty body leaves v as it is.
func readOptionalJSON(r *http.Request, v any) error {
	b, err := io.ReadAll(r.Body) // bounded by limitBody
	if tl, ok := asTooLarge(err); ok {
		return tl
	}
	if err != nil {
		return badRequest{"read the body: " + err.Error()}
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return nil
	}
	r.Body = io.NopCloser(bytes.NewReader(b))
	return readJSON(r, v)
}

// freezeOverrideRequest lets a release through the freeze windows of one environment.
type freezeOverrideRequest struct {
	Environment string `json:"environment"`
	Reason      string `json:"reason"`
}

// apiOverrideFreeze lets the release through the freeze windows holding the environment the
// body names, for the caller, with a reason; it answers with the release.
func apiOverrideFreeze(promotions *promotion.Service, rels *release.Service) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		var body freezeOverrideRequest
		if err := readJSON(r, &body); err != nil {
			return err
		}
		id := r.PathValue("id")
		err := promotions.OverrideFreeze(r.Context(), actor(r), promotion.FreezeOverride{ReleaseID: id,
			Environment: body.Environment, Reason: body.Reason})
		if err != nil {
			return err
		}
		rel, err := rels.Get(r.Context(), id)
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, releaseOut(rel))
	}
}
