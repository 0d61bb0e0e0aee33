package views

import "ladder/internal/stepsecret"

// StepSecretKind describes the workflow secret pages (admins only).
var StepSecretKind = SealedKind{URL: "/settings/workflow-secrets", ID: "secret", Title: "Workflow secrets",
	Noun: "workflow secret", Short: "secret", EmptyID: "secrets-empty",
	Intro: `Values workflow steps use by name — {{secret "name"}} in an HTTP step's header values or body, or in an exec step's environment. Values are encrypted, never shown again, never exported, and masked in step logs.`,
	Empty: []Span{{Text: "No workflow secrets yet. Add one below, then write "}, {Text: `{{secret "name"}}`, Code: true},
		{Text: " where a step needs it, e.g. in a header "}, {Text: `Authorization: Bearer {{secret "deploy-token"}}`, Code: true}, {Text: "."}},
	Columns: []string{"Description", "Value", "Changed"}}

// StepSecretValues are the non-secret values of the workflow secret form.
type StepSecretValues struct{ Name, Description string }

// StepSecretItem is what the pages show of a secret.
func StepSecretItem(s stepsecret.Secret) SealedItem {
	return SealedItem{Name: s.Name, About: []Span{{Text: "Used as "}, {Text: `{{secret "` + s.Name + `"}}`, Code: true}},
		Cells: [][]Span{{{Text: s.Description}}, {{Text: "saved, encrypted", Muted: true}},
			{{Text: s.UpdatedAt.UTC().Format("2006-01-02 15:04 UTC")}}}}
}

// StepSecretStored returns the values of a stored secret.
func StepSecretStored(s stepsecret.Secret) StepSecretValues {
	return StepSecretValues{Name: s.Name, Description: s.Description}
}

// StepSecretForm is the form to add (editing false) or change a secret.
func StepSecretForm(action string, v StepSecretValues, editing bool) SealedForm {
	return SealedForm{Kind: StepSecretKind, Action: action, Editing: editing, Groups: [][]Field{{
		{Name: "name", Label: "Name", Value: v.Name, Required: true, Placeholder: "deploy-token", Hint: "Lower case letters, digits and dashes."},
		{Name: "description", Label: "Description", Value: v.Description, Placeholder: "Token of the deploy API"},
		{Name: "value", Label: "Value", Type: "password", Hint: savedHint(editing, "Kept exactly as typed; never shown again.")},
	}}}
}
