package notify

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"ladder/db"
)

// Events a channel receives.
const (
	ReleaseStarted       = "release.started"
	ReleaseSucceeded     = "release.succeeded"
	ReleaseFailed        = "release.failed"
	ReleaseTerminated    = "release.terminated"
	ReleaseWaiting       = "release.waiting"
	EnvironmentStarted   = "environment.started"
	EnvironmentSucceeded = "environment.succeeded"
	EnvironmentFailed    = "environment.failed"
	EnvironmentWaiting   = "environment.waiting"
)

// Payload is the JSON body a webhook channel receives (documented in docs/api.md).
type Payload struct {
	Event       string              `json:"event"`
	At          time.Time           `json:"at"`
	Message     string              `json:"message"`
	Release     PayloadRelease      `json:"release"`
	Environment *PayloadEnvironment `json:"environment,omitempty"` // environment events only
}

// PayloadRelease names the release an event is about, with a link to its page.
type PayloadRelease struct {
	ID      string `json:"id"`
	Number  int64  `json:"number"`
	Product string `json:"product"`
	Flow    string `json:"flow"`
	Version string `json:"version"`
	Status  string `json:"status"`
	URL     string `json:"url"`
}

// PayloadEnvironment is the environment an environment event is about. Blocker says what it
// waits for (e.g. an approval or a pull request merge); Error why it failed.
type PayloadEnvironment struct {
	Name    string `json:"name"`
	Status  string `json:"status"`
	Blocker string `json:"blocker,omitempty"`
	Error   string `json:"error,omitempty"`
}

// eventOf maps a status change to the event it announces; "" when it announces none
// (queued, resumed after a wait, made pending again by a retry).
func eventOf(c db.ReleaseStatusChange) string {
	started := c.OldStatus != "SUSPENDED" && c.OldStatus != "RUNNING"
	switch c.Scope + " " + c.NewStatus {
	case "release RUNNING":
		return pick(started, ReleaseStarted)
	case "release SUCCEEDED":
		return ReleaseSucceeded
	case "release FAILED":
		return ReleaseFailed
	case "release TERMINATED":
		return ReleaseTerminated
	case "release SUSPENDED":
		return ReleaseWaiting
	case "environment RUNNING":
		return pick(started, EnvironmentStarted)
	case "environment SUCCEEDED":
		return EnvironmentSucceeded
	case "environment FAILED":
		return EnvironmentFailed
	case "environment SUSPENDED":
		return EnvironmentWaiting
	}
	return ""
}

func pick(ok bool, event string) string {
	if ok {
		return event
	}
	return ""
}

// payloadOf builds the payload of change c of release r.
func payloadOf(event string, c db.ReleaseStatusChange, r db.Release, publicURL string, at time.Time) Payload {
	p := Payload{Event: event, At: at.UTC(), Release: PayloadRelease{ID: r.ID, Number: r.Number, Product: r.Product,
		Flow: r.Flow, Version: r.Version, Status: r.Status, URL: publicURL + "/releases/" + r.ID}}
	name := fmt.Sprintf("%s #%d", r.Product, r.Number)
	if r.Version != "" {
		name += " (" + r.Version + ")"
	}
	if c.Scope == "environment" {
		p.Environment = &PayloadEnvironment{Name: c.Subject, Status: c.NewStatus, Blocker: c.Blocker, Error: c.Error}
	}
	switch event {
	case ReleaseStarted:
		p.Message = name + " started"
	case ReleaseSucceeded:
		p.Message = name + " succeeded"
	case ReleaseFailed:
		p.Message = name + " failed: " + c.Error
	case ReleaseTerminated:
		p.Message = name + " was terminated: " + c.Error
	case ReleaseWaiting:
		p.Message = name + " is waiting: " + c.Blocker
	case EnvironmentStarted:
		p.Message = name + ": promotion to " + c.Subject + " started"
	case EnvironmentSucceeded:
		p.Message = name + ": promoted to " + c.Subject
	case EnvironmentFailed:
		p.Message = name + ": promotion to " + c.Subject + " failed: " + c.Error
	case EnvironmentWaiting:
		p.Message = name + ": " + c.Subject + " is waiting: " + c.Blocker
	}
	return p
}

// slackEscape escapes the characters Slack's message format reserves.
var slackEscape = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// body is what channel kind sends for p.
func body(kind string, p Payload) ([]byte, error) {
	if kind == KindSlack {
		return json.Marshal(map[string]string{"text": fmt.Sprintf("<%s|%s>", p.Release.URL, slackEscape.Replace(p.Message))})
	}
	return json.Marshal(p)
}
