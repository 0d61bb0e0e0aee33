package views

import "ladder/internal/credential"

// CredentialKind describes the Git credential pages.
var CredentialKind = SealedKind{URL: "/settings/git-credentials", ID: "credential", Title: "Git credentials",
	Noun: "Git credential", Short: "credential", EmptyID: "credentials-empty",
	Intro: "Ladder reads and pushes each repository with the credential whose URL prefix matches its URL the longest. Secrets are encrypted and never shown again.",
	Empty: []Span{{Text: "No Git credentials yet. Public and local repositories need none; for a private one, add a token or an SSH key below with the URL prefix it serves, e.g. "},
		{Text: "https://github.com/acme/", Code: true}, {Text: "."}},
	Columns: []string{"URL prefix", "Kind", "User", "Secret"}}

// CredentialValues are the non-secret values of the Git credential form; Stored reports that
// a secret of this kind is saved, so its field may stay empty.
type CredentialValues struct {
	Name, URLPrefix, Kind, Username, KnownHosts string
	Stored                                      bool
}

var credentialKinds = []Option{{credential.KindHTTPS, "HTTPS token"}, {credential.KindSSH, "SSH key"}}

// CredentialItem is what the pages show of a credential.
func CredentialItem(c credential.Credential) SealedItem {
	return SealedItem{Name: c.Name, About: []Span{{Text: c.Kind + " credential for "}, {Text: c.URLPrefix, Code: true}},
		Cells: [][]Span{{{Text: c.URLPrefix, Code: true}}, {{Text: c.Kind}}, {{Text: c.Username}},
			{{Text: "saved, encrypted", Muted: true}}}}
}

// CredentialStored returns the values of a stored credential.
func CredentialStored(c credential.Credential) CredentialValues {
	return CredentialValues{Name: c.Name, URLPrefix: c.URLPrefix, Kind: c.Kind, Username: c.Username,
		KnownHosts: c.KnownHosts, Stored: true}
}

// CredentialForm is the form to add (editing false) or change a credential.
func CredentialForm(action string, v CredentialValues, editing bool) SealedForm {
	if v.Kind == "" {
		v.Kind = credential.KindHTTPS
	}
	return SealedForm{Kind: CredentialKind, Action: action, Editing: editing, Groups: [][]Field{{
		{Name: "name", Label: "Name", Value: v.Name, Required: true, Placeholder: "github-acme"},
		{Name: "urlPrefix", Label: "URL prefix", Value: v.URLPrefix, Required: true, Placeholder: "https://github.com/acme/", Hint: "Repositories whose URL starts with this use the credential."},
		{Name: "kind", Label: "Kind", Value: v.Kind, Options: credentialKinds},
		{Name: "username", Label: "User name", Value: v.Username, Placeholder: "git", Hint: "HTTPS: the account of the token. SSH: the login user, git by default."},
		{Name: "token", Label: "Token (HTTPS)", Type: "password", Hint: savedHint(v.Stored && v.Kind == credential.KindHTTPS, "A personal access or deploy token.")},
	}, {
		{Name: "privateKey", Label: "Private key (SSH)", Type: "textarea", Placeholder: "-----BEGIN OPENSSH PRIVATE KEY-----", Hint: savedHint(v.Stored && v.Kind == credential.KindSSH, "Unencrypted, PEM or OpenSSH format.")},
		{Name: "knownHosts", Label: "known_hosts entry (SSH)", Type: "textarea", Value: v.KnownHosts, Placeholder: "github.com ssh-ed25519 AAAA…", Hint: "The server's host key, e.g. from ssh-keyscan HOST. Other keys are refused."},
	}}}
}
