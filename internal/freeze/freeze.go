// Package freeze owns freeze windows: scheduled times in which releases wait before the
// environments a window selects. A window recurs (a cron expression for its start, read in
// its time zone, and a duration) or covers one fixed range. Manual freezes stay with the
// environment; the runner asks about both through one question (see internal/app).
package freeze

import (
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // time zones work on machines without zoneinfo

	"github.com/robfig/cron/v3"

	"ladder/internal/policy"
)

// LocalLayout is how the start and end of a fixed window are written (in its time zone) in
// forms, the API and YAML.
const LocalLayout = "2006-01-02T15:04"

// Window is one freeze window.
type Window struct {
	ID   int64
	Name string
	// Schedule is the 5-field cron expression of a recurring window's start; empty for a
	// fixed window.
	Schedule string
	// Duration is how long each occurrence of a recurring window lasts, counted on the clock
	// of its time zone: "Sat 00:00 for 48h" ends Mon 00:00 even across a DST change.
	Duration time.Duration
	// Start and End bound a fixed window.
	Start, End   *time.Time
	TimeZone     string
	Environments policy.EnvironmentSelector
	Product      string // "" for every product
	Reason       string
	CreatedAt    time.Time
	UpdatedAt    time.Time

	loc   *time.Location
	sched cron.Schedule
}

// Recurring reports whether the window repeats on a schedule.
func (w Window) Recurring() bool { return w.Schedule != "" }

// Occurrence is one span of time a window freezes.
type Occurrence struct {
	Window Window
	Start  time.Time
	End    time.Time
}

// parser reads standard 5-field cron expressions only (no descriptors such as @daily, no
// seconds, no CRON_TZ prefix: the zone is a field of its own).
var parser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow)

// prepare loads the window's zone and parses its schedule.
func (w *Window) prepare() error {
	loc, err := loadZone(w.TimeZone)
	if err != nil {
		return err
	}
	w.loc = loc
	if w.Schedule == "" {
		return nil
	}
	s, err := parseSchedule(w.Schedule, loc)
	if err != nil {
		return err
	}
	w.sched = s
	return nil
}

func loadZone(name string) (*time.Location, error) {
	if name == "" || name == "Local" {
		return nil, fmt.Errorf("unknown time zone %q", name)
	}
	return time.LoadLocation(name)
}

func parseSchedule(expr string, loc *time.Location) (cron.Schedule, error) {
	s, err := parser.Parse(expr)
	if err != nil {
		return nil, err
	}
	spec, ok := s.(*cron.SpecSchedule)
	if !ok {
		return nil, fmt.Errorf("not a 5-field cron expression")
	}
	spec.Location = loc
	return spec, nil
}

// endOf is the end of the occurrence that starts at start: start plus the duration on the
// zone's wall clock.
func (w Window) endOf(start time.Time) time.Time {
	l := start.In(w.loc)
	return time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), l.Minute()+int(w.Duration/time.Minute), l.Second(), 0, w.loc)
}

// maxSteps bounds the walk over a schedule's starts (a window every minute for a week).
const maxSteps = 20000

// At returns the occurrence that covers instant t (the one ending last when several do).
func (w Window) At(t time.Time) (Occurrence, bool) {
	if w.loc == nil {
		return Occurrence{}, false
	}
	if !w.Recurring() {
		if w.Start == nil || w.End == nil || t.Before(*w.Start) || !t.Before(*w.End) {
			return Occurrence{}, false
		}
		return Occurrence{Window: w, Start: *w.Start, End: *w.End}, true
	}
	// An occurrence covering t started after t minus its longest real length (the
	// duration and the hour a DST change may add).
	var best Occurrence
	found := false
	s := w.sched.Next(t.Add(-w.Duration - 2*time.Hour))
	for i := 0; i < maxSteps && !s.IsZero() && !s.After(t); i++ {
		if end := w.endOf(s); end.After(t) && (!found || end.After(best.End)) {
			best, found = Occurrence{Window: w, Start: s, End: end}, true
		}
		s = w.sched.Next(s)
	}
	return best, found
}

// Next returns the first occurrence that starts after instant t.
func (w Window) Next(t time.Time) (Occurrence, bool) {
	if w.loc == nil {
		return Occurrence{}, false
	}
	if !w.Recurring() {
		if w.Start == nil || w.End == nil || !w.Start.After(t) {
			return Occurrence{}, false
		}
		return Occurrence{Window: w, Start: *w.Start, End: *w.End}, true
	}
	s := w.sched.Next(t)
	if s.IsZero() {
		return Occurrence{}, false
	}
	return Occurrence{Window: w, Start: s, End: w.endOf(s)}, true
}

// Applies reports whether the window freezes environment e for product ("" asks about every
// product: a window of any product applies).
func (w Window) Applies(product string, e policy.Environment) bool {
	if product != "" && w.Product != "" && w.Product != product {
		return false
	}
	return policy.Selector{Environments: w.Environments}.Matches(policy.Product{Name: product}, e)
}

// Location is the window's time zone.
func (w Window) Location() *time.Location {
	if w.loc == nil {
		return time.UTC
	}
	return w.loc
}

// BlockerPrefix starts every blocker of a release waiting on a freeze window.
const BlockerPrefix = "frozen until "

// Blocker is the sentence shown for a release waiting on o: "frozen until Mon 08:00
// Europe/Berlin (weekend freeze)", the end read in the window's zone, with more of the date
// when the end is not within the coming week of now.
func (o Occurrence) Blocker(now time.Time) string {
	return BlockerPrefix + o.Window.When(o.End, now) + " (" + o.Window.Reason + ")"
}

// When writes instant t in the window's zone as people read it from now: "Mon 08:00
// Europe/Berlin" within the coming week, else with the date.
func (w Window) When(t, now time.Time) string {
	l := t.In(w.Location())
	layout := "Mon 15:04"
	switch {
	case t.Sub(now) >= 6*24*time.Hour && l.Year() == now.In(w.Location()).Year():
		layout = "Mon 2 Jan 15:04"
	case t.Sub(now) >= 6*24*time.Hour:
		layout = "Mon 2 Jan 2006 15:04"
	}
	return l.Format(layout) + " " + w.Location().String()
}

// Span describes the window's schedule: "0 0 * * 6 for 48h (Europe/Berlin)" or
// "2026-12-24T00:00 – 2027-01-02T00:00 (Europe/Berlin)".
func (w Window) Span() string {
	if w.Recurring() {
		return w.Schedule + " for " + FormatDuration(w.Duration) + " (" + w.TimeZone + ")"
	}
	var from, to string
	if w.Start != nil && w.End != nil {
		from, to = w.Start.In(w.Location()).Format(LocalLayout), w.End.In(w.Location()).Format(LocalLayout)
	}
	return from + " – " + to + " (" + w.TimeZone + ")"
}

// FormatDuration writes d in Go's notation without trailing zero units ("48h", "1h30m", "5m"),
// as the YAML model writes every duration (a window's, a workflow's timeout).
func FormatDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
