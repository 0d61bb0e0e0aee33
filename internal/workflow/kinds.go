package workflow

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"ladder/internal/fault"
)

// HTTPStep sends one request and checks the answer, retrying until it passes or the retries
// run out ("wait until healthy"). URL, header values and body are templates over the
// parameters ({{.VERSION}}).
type HTTPStep struct {
	Method       string   `json:"method" form:"method" validate:"required,oneof=GET HEAD POST PUT PATCH DELETE"`
	URL          string   `json:"url" form:"url" validate:"required,max=2000"`
	Headers      []Header `json:"headers,omitempty" form:"headers" validate:"-"`
	Body         string   `json:"body,omitempty" form:"body" validate:"max=100000"`
	ExpectStatus string   `json:"expectStatus,omitempty" form:"expectStatus"` // "2xx" or a code such as "204"
	BodyContains string   `json:"bodyContains,omitempty" form:"bodyContains" validate:"max=1000"`
	JSONPath     string   `json:"jsonPath,omitempty" form:"jsonPath" validate:"max=500"`
	JSONValue    string   `json:"jsonValue,omitempty" form:"jsonValue" validate:"max=1000"` // empty: the path must match something
	Retries      int      `json:"retries,omitempty" form:"retries"`
	Interval     string   `json:"interval,omitempty" form:"interval"`
}

// Header is one request header; its value is a template.
type Header struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// DefaultRetryInterval separates retries of an HTTP step when its author sets no interval.
const DefaultRetryInterval = 10 * time.Second

var (
	statusPattern     = regexp.MustCompile(`^[1-5]([0-9][0-9]|xx)$`)
	headerNamePattern = regexp.MustCompile("^[A-Za-z0-9!#$%&'*+.^_`|~-]+$")
)

func (h *HTTPStep) normalize() {
	h.Method = strings.ToUpper(strings.TrimSpace(h.Method))
	if h.Method == "" {
		h.Method = "GET"
	}
	h.URL = strings.TrimSpace(h.URL)
	h.ExpectStatus = strings.ToLower(strings.TrimSpace(h.ExpectStatus))
	if h.ExpectStatus == "" {
		h.ExpectStatus = "2xx"
	}
	h.JSONPath = strings.TrimSpace(h.JSONPath)
	h.Interval = strings.TrimSpace(h.Interval)
	if h.Interval == "" && h.Retries > 0 {
		h.Interval = DefaultRetryInterval.String()
	}
}

func (h *HTTPStep) problems(check *fault.Validator) fault.FieldErrors {
	fe := check.Struct(*h)
	checkTemplate(fe, "url", h.URL)
	if fe["url"] == "" && !strings.HasPrefix(h.URL, "{{") &&
		!strings.HasPrefix(h.URL, "http://") && !strings.HasPrefix(h.URL, "https://") {
		fe.Add("url", "must start with http:// or https:// (or a {{.PARAMETER}} that holds one)")
	}
	checkTemplateOf(fe, "body", h.Body, true)
	for _, hd := range h.Headers {
		if !headerNamePattern.MatchString(hd.Name) {
			fe.Add("headers", fmt.Sprintf("%q is not a header name: write one header per line as Name: value", hd.Name))
		}
		checkTemplateOf(fe, "headers", hd.Value, true)
	}
	if !statusPattern.MatchString(h.ExpectStatus) {
		fe.Add("expectStatus", "must be a status code such as 200, or a class such as 2xx")
	}
	if h.JSONPath != "" {
		checkJSONPath(fe, "jsonPath", h.JSONPath)
	} else if h.JSONValue != "" {
		fe.Add("jsonPath", "is required when an expected JSON value is set")
	}
	if h.Retries < 0 || h.Retries > 1000 {
		fe.Add("retries", "must be between 0 and 1000")
	}
	checkDuration(fe, "interval", h.Interval, false, time.Second, time.Hour)
	return fe
}

// Accepts reports whether status passes the step's expected status.
func (h HTTPStep) Accepts(status int) bool {
	want := h.ExpectStatus
	if want == "" {
		want = "2xx"
	}
	if strings.HasSuffix(want, "xx") {
		return strconv.Itoa(status)[:1] == want[:1]
	}
	return strconv.Itoa(status) == want
}

// RetryInterval is the pause between attempts.
func (h HTTPStep) RetryInterval() time.Duration {
	return mustDuration(h.Interval, DefaultRetryInterval)
}

// ExecStep runs a command on the server with the parameters as environment variables, plus
// Env, whose values are templates that may use workflow secrets ({{secret "name"}}).
type ExecStep struct {
	Command string   `json:"command" form:"command" validate:"required,max=1000"`
	Args    []string `json:"args,omitempty" form:"args" validate:"dive,max=4000"`
	Env     []Param  `json:"env,omitempty" form:"env" validate:"-"`
	Timeout string   `json:"timeout,omitempty" form:"timeout"` // empty: bounded by the workflow's timeout
}

// envNamePattern is what an exec step's environment variable name must look like.
var envNamePattern = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

func (e *ExecStep) normalize() {
	e.Command = strings.TrimSpace(e.Command)
	e.Timeout = strings.TrimSpace(e.Timeout)
}

func (e *ExecStep) problems(check *fault.Validator) fault.FieldErrors {
	fe := check.Struct(*e)
	checkDuration(fe, "timeout", e.Timeout, false, time.Second, 24*time.Hour)
	for _, v := range e.Env {
		if !envNamePattern.MatchString(v.Name) || v.Name == "LADDER_OUTPUT" {
			fe.Add("env", fmt.Sprintf("%q is not a variable name: write one per line as NAME=value", v.Name))
		}
		checkTemplateOf(fe, "env", v.Value, true)
	}
	return fe
}

// TimeoutOr is the step's own time limit, or fallback when it has none.
func (e ExecStep) TimeoutOr(fallback time.Duration) time.Duration {
	return mustDuration(e.Timeout, fallback)
}

// ApprovalStep pauses until Required distinct users of the allowed groups approve.
type ApprovalStep struct {
	Required          int      `json:"required" form:"required"`
	Groups            []string `json:"groups,omitempty" form:"groups" validate:"dive,required,max=200"` // empty: anyone allowed to approve in the environment
	AllowSelfApproval bool     `json:"allowSelfApproval,omitempty" form:"allowSelfApproval"`
}

func (a *ApprovalStep) normalize() {
	if a.Required == 0 {
		a.Required = 1
	}
}

func (a *ApprovalStep) problems(check *fault.Validator) fault.FieldErrors {
	fe := check.Struct(*a)
	if a.Required < 1 || a.Required > 50 {
		fe.Add("required", "must be between 1 and 50")
	}
	return fe
}

// WaitStep sleeps for a duration (soak time).
type WaitStep struct {
	Duration string `json:"duration" form:"duration"`
}

func (w *WaitStep) normalize() { w.Duration = strings.TrimSpace(w.Duration) }

func (w *WaitStep) problems(*fault.Validator) fault.FieldErrors {
	fe := fault.FieldErrors{}
	checkDuration(fe, "duration", w.Duration, true, time.Second, 7*24*time.Hour)
	return fe
}

// Length is how long the step waits.
func (w WaitStep) Length() time.Duration { return mustDuration(w.Duration, 0) }
