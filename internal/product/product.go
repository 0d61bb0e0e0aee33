// Package product owns Ladder's products: what is promoted (the promotion template: where the
// version is read, which values move between environments), through which flows (chosen by
// trigger selectors), and how concurrent releases of one product behave.
package product

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"ladder/db"
	"ladder/internal/gitops"
)

// Concurrency policies.
const (
	ConcurrencyQueue     = "queue"
	ConcurrencyTerminate = "terminate"
)

// DefaultQueueLimit is how many releases may wait in the queue unless set otherwise.
const DefaultQueueLimit = 50

// Product is one thing Ladder promotes, with its promotion settings.
type Product struct {
	ID          int64
	Name        string
	Tags        []string
	Description string
	Template    Template
	Flows       []FlowRef
	Concurrency string
	QueueLimit  int
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Template is what a promotion changes: where the version is read, and which values of which
// files are copied. With no entries, promotions copy whole files.
type Template struct {
	VersionSource VersionSource `json:"versionSource"`
	Promotion     []Entry       `json:"promotion"`
}

// VersionSource names the file and JSONPath holding the product's version.
type VersionSource struct {
	File     string `json:"file" form:"file" validate:"max=500"`
	JSONPath string `json:"jsonPath" form:"jsonPath" validate:"max=500"`
}

// Entry names the values promoted in one file, or in every file matching a glob relative to
// the application path.
type Entry struct {
	File      string   `json:"file" form:"file" validate:"required,max=500"`
	JSONPaths []string `json:"jsonPaths" form:"jsonPaths" validate:"required,min=1,max=50,dive,required,max=500"`
}

// FlowRef is one of the product's flows with the selectors that decide whether a change starts
// it. Flows are tried in order; the first that matches starts a release.
type FlowRef struct {
	Flow             string     `json:"flow" form:"flow" validate:"required,dnslabel"`
	TriggerSelectors []Selector `json:"triggerSelectors" form:"-" validate:"-"`
}

// Selector keys and operators.
const (
	KeyCommitMessage = "commitMessage"
	KeyBranch        = "branch"
	OperatorIn       = "In"
	OperatorNotIn    = "NotIn"
)

// Selector matches a change by its commit message or branch; values are OR-ed and may use *
// as a wildcard over the whole string.
type Selector struct {
	Key      string   `json:"key" form:"key" validate:"required,oneof=commitMessage branch"`
	Operator string   `json:"operator" form:"operator" validate:"required,oneof=In NotIn"`
	Values   []string `json:"values" form:"values" validate:"required,min=1,max=50,dive,required,max=500"`
}

// Gitops returns the template in the form the Git engine applies.
func (t Template) Gitops() gitops.Template {
	g := gitops.Template{VersionSource: gitops.VersionSource(t.VersionSource)}
	for _, e := range t.Promotion {
		g.Entries = append(g.Entries, gitops.Entry{File: e.File, JSONPaths: e.JSONPaths})
	}
	return g
}

// Input is what a person may set on a product.
type Input struct {
	Name        string    `form:"name" validate:"required,dnslabel"`
	Tags        []string  `form:"tags" validate:"max=50,dive,tag"`
	Description string    `form:"description" validate:"max=1000"`
	Template    Template  `form:"-" validate:"-"`
	Flows       []FlowRef `form:"-" validate:"-"`
	Concurrency string    `form:"concurrency" validate:"required,oneof=queue terminate"`
	QueueLimit  int       `form:"queueLimit" validate:"min=1,max=100000"`
}

// ParseList splits a comma- or newline-separated list, trimming and dropping empty entries.
func ParseList(s string) []string {
	fields := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '\n' })
	out := make([]string, 0, len(fields))
	for _, f := range fields {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// ParseLines splits s into trimmed, non-empty lines (JSONPaths may contain commas).
func ParseLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

func fromRow(r db.Product) (Product, error) {
	p := Product{ID: r.ID, Name: r.Name, Description: r.Description, Concurrency: r.Concurrency,
		QueueLimit: int(r.QueueLimit), CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	for _, f := range []struct {
		text string
		into any
	}{{r.Tags, &p.Tags}, {r.Template, &p.Template}, {r.Flows, &p.Flows}} {
		if err := json.Unmarshal([]byte(f.text), f.into); err != nil {
			return Product{}, fmt.Errorf("product %q: read stored settings: %w", r.Name, err)
		}
	}
	return p, nil
}

func encode(v any) string {
	b, _ := json.Marshal(v) // plain structs, slices and strings always encode
	return string(b)
}
