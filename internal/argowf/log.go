package argowf

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// LogLine is one line of a workflow's log, with the time its container wrote it.
type LogLine struct {
	Pod     string
	Time    time.Time
	Content string
}

// LogCursor is how far a workflow's log was read: per pod, the time of the last line read and
// how many lines carried exactly that time. The Argo Server merges its pods' lines by time
// (util/logs/workflow-logger.go), so a pod that starts later can add lines before others'.
type LogCursor map[string]PodCursor

// PodCursor is how far one pod's log was read.
type PodCursor struct {
	Time time.Time `json:"t"`
	Same int       `json:"n,omitempty"` // lines read with exactly Time
}

// logSlack is how far before the latest line read the next read starts: pods run on nodes whose
// clocks may differ, and a pod may start writing after a line of another pod was read.
const logSlack = time.Minute

// since is the time the next read starts from: zero (the whole log) for a new cursor.
func (c LogCursor) since() time.Time {
	var latest time.Time
	for _, p := range c {
		if p.Time.After(latest) {
			latest = p.Time
		}
	}
	if latest.IsZero() {
		return latest
	}
	return latest.Add(-logSlack)
}

// Take returns the lines of read not read before and moves the cursor past them.
func (c LogCursor) Take(read []LogLine) []LogLine {
	var out []LogLine
	skip := map[string]int{}
	for pod, p := range c {
		skip[pod] = p.Same
	}
	for _, l := range read {
		p, seen := c[l.Pod]
		switch {
		case seen && l.Time.Before(p.Time):
			continue
		case seen && l.Time.Equal(p.Time) && skip[l.Pod] > 0:
			skip[l.Pod]--
			continue
		case seen && l.Time.Equal(p.Time):
			p.Same++
		default:
			p = PodCursor{Time: l.Time, Same: 1}
		}
		c[l.Pod] = p
		skip[l.Pod] = 0
		out = append(out, l)
	}
	return out
}

// Logs reads the log lines of a workflow's main containers written since the cursor's latest
// line (less a slack), with their timestamps (GET /api/v1/workflows/{namespace}/{name}/log,
// newline-delimited JSON of LogEntry, pkg/apiclient/workflow/workflow.proto); cursor.Take
// keeps the new ones.
func (c *Client) Logs(ctx context.Context, name string, cursor LogCursor) ([]LogLine, error) {
	q := url.Values{"logOptions.container": {"main"}, "logOptions.follow": {"false"}, "logOptions.timestamps": {"true"}}
	if since := cursor.since(); !since.IsZero() {
		// Argo's own HTTP client sends sinceTime as RFC 3339 text (pkg/apiclient/http1/facade.go).
		q.Set("logOptions.sinceTime", since.UTC().Format(time.RFC3339))
	}
	resp, err := c.send(ctx, http.MethodGet, c.path(name, "log")+"?"+q.Encode(), nil)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var lines []LogLine
	sc := bufio.NewScanner(io.LimitReader(resp.Body, 16<<20))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		var entry struct {
			Result struct {
				Content string `json:"content"`
				PodName string `json:"podName"`
			} `json:"result"`
		}
		if json.Unmarshal(sc.Bytes(), &entry) != nil || entry.Result.PodName == "" {
			continue
		}
		lines = append(lines, logLine(entry.Result.PodName, entry.Result.Content))
	}
	return lines, sc.Err()
}

// logLine splits a line read with timestamps ("2024-05-01T10:00:00.123456789Z text") into its
// time and text; a line without a timestamp keeps the zero time.
func logLine(pod, content string) LogLine {
	stamp, text, _ := strings.Cut(content, " ")
	t, err := time.Parse(time.RFC3339Nano, stamp)
	if err != nil {
		return LogLine{Pod: pod, Content: content}
	}
	return LogLine{Pod: pod, Time: t, Content: text}
}
