package runner

import (
	"context"
	"fmt"
	"strings"
	"text/template"

	"ladder/internal/workflow"
)

// stepSecrets gives a step the workflow secrets its templates name ({{secret "name"}}) and
// has the step's log mask every value it gave out.
type stepSecrets struct {
	ctx    context.Context
	lookup func(ctx context.Context, name string) (string, error)
	log    *stepLog
}

func (c *stepCall) secrets(ctx context.Context) *stepSecrets {
	return &stepSecrets{ctx: ctx, lookup: c.r.opts.Secrets, log: c.log}
}

func (s *stepSecrets) value(name string) (string, error) {
	if s.lookup == nil {
		return "", fmt.Errorf("workflow secret %q: this Ladder has no workflow secrets", name)
	}
	v, err := s.lookup(s.ctx, name)
	if err != nil {
		return "", err
	}
	s.log.hide(v)
	return v, nil
}

// renderSecret is render for a template that may use workflow secrets.
func (p params) renderSecret(name, text string, s *stepSecrets) (string, error) {
	t, err := template.New(name).Funcs(template.FuncMap{workflow.SecretFunc: s.value}).Option("missingkey=error").Parse(text)
	if err != nil {
		return "", fmt.Errorf("%s: %w", name, err)
	}
	var b strings.Builder
	if err := t.Execute(&b, map[string]string(p)); err != nil {
		return "", fmt.Errorf("%s: %w", name, err)
	}
	return b.String(), nil
}

// maskResult masks the workflow secrets the step used in its error, blocker and outputs.
func (l *stepLog) maskResult(res stepResult) stepResult {
	res.err, res.blocker = l.masking(res.err), l.masking(res.blocker)
	for k, v := range res.outputs {
		res.outputs[k] = l.masking(v)
	}
	return res
}
