package workflow

import (
	"slices"
	"testing"
)

func TestSecretNames(t *testing.T) {
	w := Workflow{Steps: []Step{
		{Name: "notify", Kind: "http", HTTP: &HTTPStep{Method: "POST", URL: "https://chat.example/{{.PRODUCT}}",
			Headers: []Header{{Name: "Authorization", Value: `Bearer {{secret "chat-token"}}`}},
			Body:    `{"text": "{{.VERSION}}"{{if .COMMIT_SHA}}, "sig": "{{secret "signing-key" | printf "%s"}}"{{end}}}`}},
		{Name: "deploy", Kind: "exec", Exec: &ExecStep{Command: "deploy", Env: []Param{
			{Name: "TOKEN", Value: `{{secret "chat-token"}}`}, {Name: "PLAIN", Value: "secret chat"}}}},
		{Name: "wait", Kind: "wait", Wait: &WaitStep{}},
	}}
	if got, want := w.SecretNames(), []string{"chat-token", "signing-key"}; !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}
