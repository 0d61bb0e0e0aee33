package views

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/a-h/templ"
)

// Ago says how long before now t was, the way people say it ("3 min ago").
func Ago(t, now time.Time) string {
	d := now.Sub(t)
	future := d < 0
	if future {
		d = -d
	}
	var s string
	switch {
	case d < 45*time.Second:
		return "just now"
	case d < 90*time.Minute:
		s = strconv.Itoa(int(d.Round(time.Minute)/time.Minute)) + " min"
	case d < 36*time.Hour:
		s = strconv.Itoa(int(d.Round(time.Hour)/time.Hour)) + " h"
	default:
		s = strconv.Itoa(int(d/(24*time.Hour))) + " days"
	}
	if future {
		return "in " + s
	}
	return s + " ago"
}

// Duration says a duration in the one unit style every page uses for timeouts, intervals and
// measured times: "30 s", "5 min", "24 h", "1.5 h", "3 days"; "—" for none. Whole numbers
// drop the ".0".
func Duration(d time.Duration) string {
	switch {
	case d <= 0:
		return "—"
	case d < time.Minute:
		return fmt.Sprintf("%d s", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d.Minutes()))
	case d < 48*time.Hour:
		return tenths(d.Hours()) + " h"
	default:
		return tenths(d.Hours()/24) + " days"
	}
}

// tenths writes v with one decimal, or none when it is whole at that precision.
func tenths(v float64) string {
	return strings.TrimSuffix(fmt.Sprintf("%.1f", v), ".0")
}

// UTC is the exact time shown on hover next to a relative one.
func UTC(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") }

// userURL is the address of action on the user called name. User names of single sign-on users
// may hold any character (`issuer|sub`, e-mail addresses), so the name is escaped as one path
// segment.
func userURL(name, action string) templ.SafeURL {
	return templ.SafeURL("/users/" + url.PathEscape(name) + "/" + action)
}
