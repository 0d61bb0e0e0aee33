package runner

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"regexp"
	"slices"
	"strings"
	"text/template"
	"time"

	"ladder/internal/gitops"
	"ladder/internal/release"
	"ladder/internal/workflow"
)

// params are the parameters a workflow step gets: {{.NAME}} in its templates, NAME in the
// environment of its command. Secrets are never among them.
type params map[string]string

// outputKey is what a step output's key must look like to become a parameter.
var outputKey = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// baseParams are the parameters of a workflow run in scope sc. Every name of
// workflow.Parameters is present (empty when it does not apply), so a template naming one of
// them never fails on a missing key.
func (r *Runner) baseParams(ctx context.Context, sc scope) (params, error) {
	p := params{}
	for _, name := range workflow.Parameters {
		p[name] = ""
	}
	rel := sc.rel
	p["RELEASE_ID"], p["PRODUCT_NAME"], p["VERSION"] = rel.ID, rel.Product, rel.Version
	p["FLOW_NAME"], p["TRIGGER_COMMIT_SHA"] = rel.FlowLabel(), rel.Trigger.SHA
	if r.opts.PublicURL != "" {
		p["RELEASE_URL"] = strings.TrimRight(r.opts.PublicURL, "/") + "/releases/" + rel.ID
	}
	if sc.env.Name != "" {
		p["ENVIRONMENT"], p["ENVIRONMENT_KIND"] = sc.env.Name, sc.env.Kind
	}
	if app := sc.app; app.Name != "" {
		p["APP_NAME"], p["REPO_URL"], p["BRANCH"], p["APP_PATH"] = app.Name, app.RepoURL, app.Branch, app.Path
		if sc.kind == scopePost && app.CommitSHA != "" {
			if err := r.commitParams(ctx, sc, p); err != nil {
				return nil, err
			}
		}
	}
	if sc.onFail() {
		p["ERROR_MESSAGE"] = orDefault(sc.env.Error, rel.Error) // an environment's own, else the release's
		p["FAILED_ENVIRONMENTS"] = failedEnvironments(rel)
	}
	return p, nil
}

// commitParams adds the promotion commit. The Git engine returns only the commit's SHA, so the
// message is the one the engine writes for this promotion, the author is the runner's, and the
// date is when the post-action started (the commit was pushed before it). In the trigger
// environment the commit is the trigger commit, as the release recorded it.
func (r *Runner) commitParams(ctx context.Context, sc scope, p params) error {
	if sc.env.IsTrigger {
		t := sc.rel.Trigger
		p["COMMIT_SHA"], p["COMMIT_MESSAGE"], p["COMMIT_AUTHOR"] = sc.app.CommitSHA, t.Message, t.Author
		if t.Date != nil {
			p["COMMIT_DATE"] = t.Date.UTC().Format(time.RFC3339)
		}
		return nil
	}
	req, err := r.promoteRequest(ctx, sc.rel, sc.env, sc.app)
	if err != nil {
		return err
	}
	p["COMMIT_SHA"] = sc.app.CommitSHA
	p["COMMIT_MESSAGE"] = gitops.CommitMessage(req)
	p["COMMIT_AUTHOR"] = fmt.Sprintf("%s <%s>", r.opts.Author.Name, r.opts.Author.Email)
	if t := sc.app.PhaseStartedAt; t != nil {
		p["COMMIT_DATE"] = t.UTC().Format(time.RFC3339)
	}
	return nil
}

// failedEnvironment is one entry of FAILED_ENVIRONMENTS.
type failedEnvironment struct {
	Name   string `json:"name"`
	Status string `json:"status"`
	Error  string `json:"error"`
}

// failedEnvironments is the JSON list of the release's failed or terminated environments, as
// {name, status, error}, for every onFail hook. An environment whose onFail hook runs is still
// under way: it is listed as FAILED when it is failing, as TERMINATED while the release is
// being terminated.
func failedEnvironments(rel release.Release) string {
	list := []failedEnvironment{}
	for _, e := range rel.Environments {
		status := e.Status
		switch {
		case failing(e):
			status = release.Failed
		case active(status) && rel.Status == release.Terminating:
			status = release.Terminated
		}
		if status == release.Failed || status == release.Terminated {
			list = append(list, failedEnvironment{Name: e.Name, Status: status, Error: e.Error})
		}
	}
	b, _ := json.Marshal(list) // strings only: it always encodes
	return string(b)
}

// withOutputs adds the outputs of the release's earlier steps (the promotion context). The
// parameters Ladder sets win over an output of the same name.
func (p params) withOutputs(outputs []map[string]string) params {
	out := params{}
	for _, o := range outputs {
		maps.Copy(out, o)
	}
	maps.Copy(out, p)
	return out
}

// render executes text as a template over the parameters; a name that is not a parameter is
// an error, not an empty string.
func (p params) render(name, text string) (string, error) {
	t, err := template.New(name).Option("missingkey=error").Parse(text)
	if err != nil {
		return "", fmt.Errorf("%s: %w", name, err)
	}
	var b strings.Builder
	if err := t.Execute(&b, map[string]string(p)); err != nil {
		return "", fmt.Errorf("%s: %w", name, err)
	}
	return b.String(), nil
}

// environ is the environment of a step's command: the parameters, and from the server's own
// environment only what a command needs to run (PATH, HOME, locale, temp dir) — never the
// rest, which holds Ladder's own secrets.
func (p params) environ() []string {
	var env []string
	for _, name := range []string{"PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR"} {
		if v, ok := os.LookupEnv(name); ok {
			env = append(env, name+"="+v)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(p)) {
		env = append(env, k+"="+p[k])
	}
	return env
}

// parseOutputs reads key=value lines; blank lines and lines starting with # are skipped.
func parseOutputs(text string) (map[string]string, error) {
	out := map[string]string{}
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimRight(line, "\r")
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok || !outputKey.MatchString(k) {
			return nil, fmt.Errorf("output line %d is not NAME=value: %q", i+1, line)
		}
		out[k] = v
	}
	return out, nil
}
