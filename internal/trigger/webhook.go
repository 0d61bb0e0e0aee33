package trigger

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"ladder/internal/gitops"
)

// Receive verifies a push webhook from a provider kind against the configured secrets and, for
// a push to a watched or waiting repository, polls at once and looks again at pull requests
// waiting to merge there. A signature no secret verifies is gitops.ErrBadSignature; a verified
// event that is not a branch push is gitops.ErrNotPush.
func (t *Trigger) Receive(ctx context.Context, kind string, header http.Header, body []byte, secrets []string) (gitops.Push, error) {
	more, err := t.deps.WebhookSecrets(ctx, kind)
	if err != nil {
		return gitops.Push{}, err
	}
	secrets = append(secrets, more...)
	push, err := verify(kind, header, body, secrets)
	if err != nil {
		return gitops.Push{}, err
	}
	if err := t.deps.Merges.RecheckMerges(ctx, push.CloneURLs); err != nil {
		return push, err
	}
	apps, err := t.watched(ctx)
	if err != nil {
		return push, err
	}
	for _, a := range apps {
		for _, u := range push.CloneURLs {
			if gitops.SameRepository(u, a.RepoURL) {
				t.Wake()
				return push, nil
			}
		}
	}
	return push, nil
}

// verify returns the push of the first secret that verifies it.
func verify(kind string, header http.Header, body []byte, secrets []string) (gitops.Push, error) {
	err := fmt.Errorf("%w: no webhook secret is configured", gitops.ErrBadSignature)
	for _, s := range secrets {
		if s == "" {
			continue
		}
		var push gitops.Push
		push, err = gitops.ParsePush(kind, header, body, s)
		if !errors.Is(err, gitops.ErrBadSignature) {
			return push, err
		}
	}
	return gitops.Push{}, err
}
