package views

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

	"ladder/internal/release"
	"ladder/internal/runner"
	"ladder/internal/trigger"
)

// Waiting kinds of the release header: the look tells running, waiting on a person, waiting on
// a timer or an outside system, failed and succeeded apart.
const (
	nowRunning   = "now-running"
	nowPerson    = "now-person"
	nowSystem    = "now-system"
	nowFailed    = "now-failed"
	nowSucceeded = "now-succeeded"
)

// doing says in one sentence what the release is doing, and which look that takes. When it
// waits for approvals, names ends the sentence ("Waiting for 2 approvals" and then ": " and
// names): the environments they wait in, which a phone leaves to the approval rows listed
// under it. Otherwise names is empty.
func (v ReleaseView) doing() (text, names, look string) {
	r := v.Release
	switch r.Status {
	case release.Succeeded:
		return "Done: " + r.Version + " reached " + joinNames(envsWith(r, release.Succeeded, false)), "", nowSucceeded
	case release.Failed:
		if failed := envsWith(r, release.Failed, false); len(failed) > 0 {
			return "Failed in " + joinNames(failed), "", nowFailed
		}
		return "Failed", "", nowFailed
	case release.Terminated:
		return "Terminated before it finished", "", nowFailed
	case release.Terminating:
		return "Stopping: terminated, finishing what is in progress", "", nowSystem
	case release.Queued:
		if r.Blocker != "" {
			return "Queued: " + r.Blocker, "", nowSystem
		}
		return "Queued", "", nowSystem
	}
	if approvals := v.WaitingApprovals(); len(approvals) > 0 {
		envs := make([]string, 0, len(approvals))
		for _, s := range approvals {
			envs = appendOnce(envs, s.Environment)
		}
		return fmt.Sprintf("Waiting for %d %s", len(approvals), plural(len(approvals), "approval", "approvals")), joinNames(envs), nowPerson
	}
	for _, e := range r.Environments {
		if e.Status == release.Suspended && e.Blocker != "" {
			look := nowSystem
			if waitsOnPerson(e.Blocker) {
				look = nowPerson
			}
			return "Waiting in " + e.Name + ": " + e.Blocker, "", look
		}
	}
	if running := envsWith(r, release.Running, false); len(running) > 0 {
		return "Promoting to " + joinNames(running), "", nowRunning
	}
	for _, e := range r.Environments {
		// A soak, freeze or pin holds the next environment; waiting on an earlier one is not news.
		if e.Status == release.Pending && e.Blocker != "" && !strings.HasSuffix(e.Blocker, " to succeed") {
			return "Waiting in " + e.Name + ": " + e.Blocker, "", nowSystem
		}
	}
	return "Running", "", nowRunning
}

// waitsOnPerson reports a blocker only a person ends: an approval, a pull request's merge, an
// Argo workflow suspended until someone resumes it.
func waitsOnPerson(blocker string) bool {
	return strings.HasPrefix(blocker, release.BlockerApproval) || strings.HasPrefix(blocker, release.BlockerMerge) ||
		strings.HasPrefix(blocker, runner.BlockerArgoSuspended)
}

// blockerLook is the look of an environment's or a step's blocker, in the header's language:
// that of running while what it names runs, of waiting on a person, or of waiting on a timer
// or an outside system.
func blockerLook(status, blocker string) string {
	switch {
	case status == release.Running:
		return nowRunning
	case waitsOnPerson(blocker):
		return nowPerson
	}
	return nowSystem
}

// WaitingApprovals are the approval steps that wait for a decision, in page order.
func (v ReleaseView) WaitingApprovals() []runner.StepRun {
	var out []runner.StepRun
	for _, s := range v.Steps.Steps {
		if s.Kind == "approval" && s.Status == release.Suspended {
			out = append(out, s)
		}
	}
	return out
}

// ApprovalRows are the approval steps the header lists while the release waits for one: the
// waiting ones, and in their place among them those already decided, as a line of their
// decision. A decision someone else makes then does not move the rows after it, and the
// Approve under the viewer's pointer stays the one they aimed at. None once no approval waits.
func (v ReleaseView) ApprovalRows() []runner.StepRun {
	var out []runner.StepRun
	waiting := false
	for _, s := range v.Steps.Steps {
		if s.Kind == "approval" && (s.Status == release.Suspended || len(s.Decisions) > 0) {
			out = append(out, s)
			waiting = waiting || s.Status == release.Suspended
		}
	}
	if !waiting {
		return nil
	}
	return out
}

// Initiated says who or what started the release, in words.
func Initiated(r release.Release) string {
	if r.Initiator == trigger.Initiator {
		if r.TriggerEnv != "" {
			return "started by a commit to " + r.TriggerEnv
		}
		return "started by a commit"
	}
	return "started by " + r.Initiator
}

// Took is how long something that started at from has taken: until to, or until now while it
// runs; "" before it started.
func Took(from, to *time.Time, now time.Time) string {
	if from == nil {
		return ""
	}
	end := now
	if to != nil {
		end = *to
	}
	return Duration(end.Sub(*from))
}

// EventGroup is the activity of one subject (an environment or application; "" for the
// release itself), oldest first, with repeated lines dropped.
type EventGroup struct {
	Subject string
	Events  []release.Event
}

// GroupEvents groups a release's events by subject, leaving out log lines and a line that
// repeats the one before it. The release's own group comes first, then each of envs (the
// release's environments in page order) followed by its applications'; groups of the same
// place keep the order they first appeared in, as do any of a subject not in envs, last.
func GroupEvents(events []release.Event, envs []release.Environment) []EventGroup {
	var groups []EventGroup
	at := map[string]int{}
	for _, ev := range events {
		if ev.Kind == "log" {
			continue
		}
		i, ok := at[ev.Subject]
		if !ok {
			i = len(groups)
			at[ev.Subject] = i
			groups = append(groups, EventGroup{Subject: ev.Subject})
		}
		g := &groups[i]
		if n := len(g.Events); n > 0 && g.Events[n-1].Message == ev.Message {
			continue
		}
		g.Events = append(g.Events, ev)
	}
	place := map[string]int{"": -1}
	for i, e := range envs {
		place[e.Name] = 2 * i
	}
	rank := func(subject string) int {
		if p, ok := place[subject]; ok {
			return p
		}
		if env, _, ok := strings.Cut(subject, "/"); ok {
			if p, ok := place[env]; ok && env != "" {
				return p + 1
			}
		}
		return 2 * len(envs)
	}
	slices.SortStableFunc(groups, func(a, b EventGroup) int { return cmp.Compare(rank(a.Subject), rank(b.Subject)) })
	return groups
}

// ID is the group's element id, which keeps a viewer's opening of it across live updates.
func (g EventGroup) ID() string {
	return "activity-" + strings.Map(func(r rune) rune {
		if r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_') {
			return r
		}
		return '-'
	}, g.Label())
}

// Label names a group for its heading.
func (g EventGroup) Label() string {
	if g.Subject == "" {
		return "Release"
	}
	return g.Subject
}

func envsWith(r release.Release, status string, trigger bool) []string {
	var out []string
	for _, e := range r.Environments {
		if e.Status == status && (trigger || !e.IsTrigger) {
			out = append(out, e.Name)
		}
	}
	return out
}

func appendOnce(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

func joinNames(names []string) string {
	if len(names) == 0 {
		return "no environment"
	}
	return strings.Join(names, ", ")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
