package flow

import (
	"fmt"
	"time"

	"ladder/internal/fault"
)

// Soak holds a step back until every environment it depends on has run the release's version
// for After (a Go duration such as "30m"), counted from when that environment's promotion
// succeeded, without being replaced. With Health, the environments' applications must also be
// Healthy in Argo CD (or answer their health URL) when the time is up.
type Soak struct {
	After  string `json:"after"`
	Health bool   `json:"health,omitempty"`
}

// Soak bounds: at least a second (like a wait step), at most a week.
const (
	MinSoak = time.Second
	MaxSoak = 7 * 24 * time.Hour
)

// Length is how long the step soaks; zero when After does not parse (validation reports it).
func (s Soak) Length() time.Duration {
	d, err := time.ParseDuration(s.After)
	if err != nil {
		return 0
	}
	return d
}

// SoakOf is the step's soak time, zero when it has none.
func (st Step) SoakOf() Soak {
	if st.Soak == nil {
		return Soak{}
	}
	return *st.Soak
}

// checkSoak adds a problem at key for a soak time that is not a duration within bounds, or
// that is as long as the flow's own timeout (the release would end before the soak does).
func checkSoak(fe fault.FieldErrors, key string, s *Soak, timeoutMinutes int64) {
	if s == nil {
		return
	}
	d, err := time.ParseDuration(s.After)
	switch {
	case s.After == "":
		fe.Add(key, "set a soak time (e.g. 30m) for the health check to follow")
	case err != nil:
		fe.Add(key, fmt.Sprintf("%q is not a duration: write e.g. 30m or 2h", s.After))
	case d < MinSoak || d > MaxSoak:
		fe.Add(key, "must be between 1s and 168h (a week)")
	case d >= time.Duration(timeoutMinutes)*time.Minute:
		fe.Add(key, fmt.Sprintf("must be shorter than the flow's timeout (%d minutes)", timeoutMinutes))
	}
}
