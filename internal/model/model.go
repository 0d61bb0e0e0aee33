// Package model exports Ladder's whole model (environments, applications, products,
// workflows, policies, flows, freeze windows and access rules) as YAML documents shaped like Kubernetes objects, and applies
// such documents back: everything is validated by the services first, then written in one
// transaction or not at all. Git credential secrets are never part of it.
package model

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"

	"ladder/db"
	"ladder/internal/application"
	"ladder/internal/environment"
	"ladder/internal/flow"
	"ladder/internal/freeze"
	"ladder/internal/policy"
	"ladder/internal/product"
	"ladder/internal/user"
	"ladder/internal/workflow"
)

// APIVersion is the apiVersion of every document.
const APIVersion = "ladder/v1"

// Kinds of document, in the order they are exported and applied (each may refer only to
// kinds before it).
const (
	KindEnvironment = "Environment"
	KindWorkflow    = "PromotionWorkflow"
	KindPolicy      = "PromotionPolicy"
	KindFlow        = "PromotionFlow"
	KindProduct     = "Product"
	KindApplication = "Application"
	KindWindow      = "FreezeWindow"
)

// Kinds lists the document kinds in export and apply order.
var Kinds = []string{KindGitCredential, KindGitProvider, KindArgoCDServer, KindArgoWorkflowsServer,
	KindEnvironment, KindWorkflow, KindPolicy, KindFlow, KindProduct, KindApplication, KindWindow, KindRule,
	KindNotificationChannel}

// Service exports and applies the model through the domain services.
type Service struct {
	DB           *sql.DB
	Environments *environment.Service
	Applications *application.Service
	Products     *product.Service
	Workflows    *workflow.Service
	Policies     *policy.Service
	Flows        *flow.Service
	Windows      *freeze.Service
	// Settings holds the services of the settings with secrets (settings.go).
	Settings Settings
	// Secrets are looked up for references no secrets file supplies (the server's environment).
	Secrets func(string) string
	Rules   *user.Service // access rules; nil leaves them out
}

// GuardDeletes makes deleting an environment or a flow refused while anything stored uses it
// (applications and flows use environments, products list flows), whoever deletes: the pages,
// the API or a prune. The checks read through the deleting transaction.
func GuardDeletes(envs *environment.Service, flows *flow.Service) {
	flows.RefuseDeleteWhileUsed(product.UsersOfFlowIn)
	envs.RefuseDeleteWhileUsed(labelled("application", application.UsersOfEnvironmentIn),
		labelled("flow", flow.UsersOfEnvironmentIn))
}

// labelled prefixes each name users reports with what kind of thing it is.
func labelled(kind string, users environment.UsersFunc) environment.UsersFunc {
	return func(ctx context.Context, q *db.Queries, env string) ([]string, error) {
		names, err := users(ctx, q, env)
		for i := range names {
			names[i] = kind + " " + names[i]
		}
		return names, err
	}
}

// Actions an apply takes on one entity.
const (
	Create    = "create"
	Update    = "update"
	Unchanged = "unchanged"
	Delete    = "delete" // only with Options.Prune
)

// Change is what applying one document does (or would do, in a dry run).
type Change struct {
	Kind   string `json:"kind"`
	Name   string `json:"name"` // environment/name for applications
	Action string `json:"action"`
}

// Problem is one reason a file cannot be applied. Document counts from 1 in file order; it
// is 0 for an entity the file does not name that a prune cannot delete.
type Problem struct {
	Document int    `json:"document"`
	Kind     string `json:"kind,omitempty"`
	Name     string `json:"name,omitempty"`
	Field    string `json:"field,omitempty"`
	Message  string `json:"message"`
}

// String reads like a compiler message: "document 3 (Product shop) spec.flows: …". A problem
// of no document (an entity a prune would delete) starts "not in the file".
func (p Problem) String() string {
	s := fmt.Sprintf("document %d", p.Document)
	if p.Document == 0 {
		s = "not in the file"
	}
	if p.Kind != "" || p.Name != "" {
		s += " (" + strings.TrimSpace(p.Kind+" "+p.Name) + ")"
	}
	if p.Field != "" {
		s += " " + p.Field
	}
	return s + ": " + p.Message
}

// Invalid is the error Apply returns when any document is wrong; nothing was changed.
type Invalid struct{ Problems []Problem }

// Error lists every problem, one per line.
func (e *Invalid) Error() string {
	lines := make([]string, 0, len(e.Problems)+1)
	lines = append(lines, fmt.Sprintf("the model was not applied: %d problem(s)", len(e.Problems)))
	for _, p := range e.Problems {
		lines = append(lines, "  "+p.String())
	}
	return strings.Join(lines, "\n")
}

func sortProblems(ps []Problem) {
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].Document < ps[j].Document })
}

// Short names for the domain types, to keep the export table readable.
type (
	workflowT    = workflow.Workflow
	policyT      = policy.Policy
	flowT        = flow.Flow
	productT     = product.Product
	applicationT = application.Application
	windowT      = freeze.Window
)
