package promotion

import (
	"context"
	"strings"

	"ladder/internal/release"
)

// OriginRequest is the origin of a setting the request chose over the policies'.
const OriginRequest = "request"

// override applies req's choice of pre- and post-action workflows over the policies': ""
// keeps the policies' choice, "-" runs none.
func (s *Service) override(_ context.Context, _ Actor, spec *release.Spec, req Request) error {
	for i := range spec.Environments {
		e := &spec.Environments[i]
		if e.IsTrigger {
			continue
		}
		for _, o := range []struct {
			choice string
			set    *release.Setting
		}{{req.PreAction, &e.Settings.PreAction}, {req.PostAction, &e.Settings.PostAction}} {
			if o.choice != "" {
				*o.set = release.Setting{Value: strings.TrimPrefix(o.choice, "-"), Origin: OriginRequest}
			}
		}
	}
	return nil
}
