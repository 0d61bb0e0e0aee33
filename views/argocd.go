package views

import "ladder/internal/argocd"

// ArgocdKind describes the Argo CD server pages.
var ArgocdKind = SealedKind{URL: "/settings/argocd-servers", ID: "argocd", Title: "Argo CD servers",
	Noun: "Argo CD server", Short: "server", CanTest: true, EmptyID: "argocd-empty",
	Intro:   "Applications linked to a server are verified after each promotion: Ladder waits until Argo CD reports them Synced to the promotion and Healthy.",
	Empty:   []Span{{Text: "No Argo CD servers yet. Add one below, then link applications to it (server and Argo CD application name) so promotions are verified."}},
	Columns: []string{"URL", "TLS", "After promotion", "Token"},
	Links:   []ItemLink{{Label: "Discover applications", TestID: "argocd-discovery", Path: "/discovery"}}}

// ArgocdValues are the non-secret values of the Argo CD server form.
type ArgocdValues struct {
	Name, URL, CABundle          string
	Insecure, SyncAfterPromotion bool
}

// ArgocdItem is what the pages show of a server.
func ArgocdItem(s argocd.Server) SealedItem {
	return SealedItem{Name: s.Name, About: []Span{{Text: "Argo CD at "}, {Text: s.URL, Code: true}},
		Cells: [][]Span{{{Text: s.URL, Code: true}}, {{Text: tlsLabel(s.Insecure, s.CABundle)}},
			{{Text: syncLabel(s.SyncAfterPromotion)}}, {{Text: "saved, encrypted", Muted: true}}}}
}

// ArgocdStored returns the values of a stored server.
func ArgocdStored(s argocd.Server) ArgocdValues {
	return ArgocdValues{Name: s.Name, URL: s.URL, Insecure: s.Insecure, CABundle: s.CABundle, SyncAfterPromotion: s.SyncAfterPromotion}
}

// ArgocdForm is the form to add (editing false) or change a server.
func ArgocdForm(action string, v ArgocdValues, editing bool) SealedForm {
	hint := "An API token of an Argo CD account that may read and sync the applications (argocd account generate-token)."
	if editing {
		hint = savedHint(true, "An API token of an Argo CD account (argocd account generate-token).")
	}
	return SealedForm{Kind: ArgocdKind, Action: action, Editing: editing, Groups: [][]Field{{
		{Name: "name", Label: "Name", Value: v.Name, Required: true, Placeholder: "prod-cluster"},
		{Name: "url", Label: "URL", Value: v.URL, Required: true, Placeholder: "https://argocd.example.com"},
		{Name: "token", Label: "API token", Type: "password", Hint: hint},
	}, {
		{Name: "caBundle", Label: "CA bundle (PEM)", Type: "textarea", Value: v.CABundle, Placeholder: "-----BEGIN CERTIFICATE-----", Hint: "Certificates to trust besides the system's, for a private CA."},
	}}, Checks: []Check{
		{Name: "insecure", Label: "Skip TLS verification (test installations only)", TestID: "argocd-insecure", Checked: v.Insecure},
		{Name: "syncAfterPromotion", Label: "Ask Argo CD to sync applications after a promotion (for applications without automated sync)", TestID: "argocd-sync", Checked: v.SyncAfterPromotion},
	}}
}

func tlsLabel(insecure bool, caBundle string) string {
	switch {
	case insecure:
		return "not verified"
	case caBundle != "":
		return "own CA bundle"
	}
	return "system trust"
}

func syncLabel(sync bool) string {
	if sync {
		return "asks Argo CD to sync"
	}
	return "waits for Argo CD"
}
