package views

import "ladder/internal/argowf"

// ArgoWorkflowsKind describes the Argo Workflows server pages.
var ArgoWorkflowsKind = SealedKind{URL: "/settings/argo-workflows-servers", ID: "argowf", Title: "Argo Workflows servers",
	Noun: "Argo Workflows server", Short: "server", CanTest: true, EmptyID: "argowf-empty",
	Intro:   "Workflow steps of kind argo submit a WorkflowTemplate to one of these servers and wait for its result.",
	Empty:   []Span{{Text: "No Argo Workflows servers yet. Add one below, then use it in an argo step of a workflow."}},
	Columns: []string{"URL", "Namespace", "TLS", "Token"}}

// ArgoWorkflowsValues are the non-secret values of the Argo Workflows server form.
type ArgoWorkflowsValues struct {
	Name, URL, Namespace, CABundle string
	Insecure                       bool
}

// ArgoWorkflowsItem is what the pages show of a server.
func ArgoWorkflowsItem(s argowf.Server) SealedItem {
	return SealedItem{Name: s.Name,
		About: []Span{{Text: "Argo Workflows at "}, {Text: s.URL, Code: true}, {Text: ", namespace "}, {Text: s.Namespace, Code: true}},
		Cells: [][]Span{{{Text: s.URL, Code: true}}, {{Text: s.Namespace, Code: true}},
			{{Text: tlsLabel(s.Insecure, s.CABundle)}}, {{Text: "saved, encrypted", Muted: true}}}}
}

// ArgoWorkflowsStored returns the values of a stored server.
func ArgoWorkflowsStored(s argowf.Server) ArgoWorkflowsValues {
	return ArgoWorkflowsValues{Name: s.Name, URL: s.URL, Namespace: s.Namespace, Insecure: s.Insecure, CABundle: s.CABundle}
}

// ArgoWorkflowsForm is the form to add (editing false) or change a server.
func ArgoWorkflowsForm(action string, v ArgoWorkflowsValues, editing bool) SealedForm {
	hint := "A service account token allowed to create, read and terminate workflows, and read workflow templates, in the namespace."
	if editing {
		hint = savedHint(true, "A service account token allowed to create and read workflows in the namespace.")
	}
	return SealedForm{Kind: ArgoWorkflowsKind, Action: action, Editing: editing, Groups: [][]Field{{
		{Name: "name", Label: "Name", Value: v.Name, Required: true, Placeholder: "checks-cluster"},
		{Name: "url", Label: "Argo Server URL", Value: v.URL, Required: true, Placeholder: "https://argo.example.com"},
		{Name: "namespace", Label: "Namespace", Value: v.Namespace, Required: true, Placeholder: "ladder-checks", Hint: "Where workflows are submitted; the templates live there too."},
		{Name: "token", Label: "Bearer token", Type: "password", Hint: hint},
	}, {
		{Name: "caBundle", Label: "CA bundle (PEM)", Type: "textarea", Value: v.CABundle, Placeholder: "-----BEGIN CERTIFICATE-----", Hint: "Certificates to trust besides the system's, for a private CA."},
	}}, Checks: []Check{
		{Name: "insecure", Label: "Skip TLS verification (test installations only)", TestID: "argowf-insecure", Checked: v.Insecure},
	}}
}
