package web

import (
	"errors"
	"io"
	"log/slog"
	"net/http"

	"ladder/internal/gitops"
	"ladder/internal/trigger"
)

// receivePush answers a provider's push webhook: 401 when no configured secret verifies its
// signature (logged, without the body), 202 for a verified event that is not a branch push,
// 204 once the push has woken the poller.
func receivePush(log *slog.Logger, t *trigger.Trigger, secret, kind string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if t == nil {
			return errors.New("automatic triggers are not running")
		}
		body, err := io.ReadAll(r.Body) // bounded by limitBody (MaxWebhookBody)
		if err != nil {
			w.WriteHeader(http.StatusRequestEntityTooLarge)
			return nil
		}
		_, err = t.Receive(r.Context(), kind, r.Header, body, []string{secret})
		switch {
		case errors.Is(err, gitops.ErrBadSignature):
			log.WarnContext(r.Context(), "webhook refused: bad signature", "provider", kind, "remote", r.RemoteAddr, "reason", err)
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return nil
		case errors.Is(err, gitops.ErrNotPush):
			w.WriteHeader(http.StatusAccepted)
			return nil
		case err != nil:
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
}
