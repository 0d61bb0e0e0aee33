package model_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"ladder/db"
	"ladder/internal/argocd"
	"ladder/internal/argowf"
	"ladder/internal/credential"
	"ladder/internal/fault"
	"ladder/internal/model"
	"ladder/internal/notify"
	"ladder/internal/provider"
	"ladder/internal/secret"
)

// withSettings adds the settings services (sealing with a fixed test key) to m.
func withSettings(t *testing.T, m *model.Service) *model.Service {
	t.Helper()
	box, err := secret.NewBox(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	check, now := fault.NewValidator(), time.Now
	m.Settings = model.Settings{Credentials: credential.NewService(m.DB, box, check, now),
		Providers: provider.NewService(m.DB, box, check, now), ArgoCD: argocd.NewService(m.DB, box, check, now),
		ArgoWorkflows: argowf.NewService(m.DB, box, check, now), Channels: notify.NewService(m.DB, box, check, now)}
	return m
}

// settingsModel is written as export writes it, so that the round trip compares bytes.
const settingsModel = `apiVersion: ladder/v1
kind: GitCredential
metadata: {name: shop-git}
spec:
  urlPrefix: https://git.example.com/shop/
  kind: https
  username: ladder
  secretRef: {name: git, key: token}
---
apiVersion: ladder/v1
kind: GitProvider
metadata: {name: forge}
spec:
  kind: gitea
  baseURL: https://git.example.com
  urlPrefix: https://git.example.com/
  tokenRef: {name: forge, key: token}
  webhookSecretRef: {name: forge, key: webhook}
---
apiVersion: ladder/v1
kind: ArgoCDServer
metadata: {name: prod-argocd}
spec:
  url: https://argocd.example.com
  syncAfterPromotion: true
  tokenRef: {name: argocd, key: token}
---
apiVersion: ladder/v1
kind: ArgoWorkflowsServer
metadata: {name: wf}
spec:
  url: https://argo.example.com
  namespace: ci
  tokenRef: {name: argo, key: token}
---
apiVersion: ladder/v1
kind: NotificationChannel
metadata: {name: team}
spec:
  kind: slack
  urlRef: {name: slack, key: url}
`

var settingsSecrets = map[string]map[string]string{
	"git":    {"token": "git-token-1"},
	"forge":  {"token": "forge-token-1", "webhook": "forge-hook-1"},
	"argocd": {"token": "argocd-token-1"},
	"argo":   {"token": "argo-token-1"},
	"slack":  {"url": "https://hooks.slack.example/T000/B000/secret-1"},
}

func applyWith(t *testing.T, m *model.Service, text string, opt model.Options) []model.Change {
	t.Helper()
	changes, err := m.ApplyWith(context.Background(), strings.NewReader(text), opt)
	if err != nil {
		t.Fatalf("apply: %v", err)
	}
	return changes
}

func TestSettingsRoundTripWithSecretsByReference(t *testing.T) {
	ctx := context.Background()
	m := withSettings(t, newModel(t))
	if got := actions(applyWith(t, m, settingsModel, model.Options{Secrets: settingsSecrets})); got[model.Create] != 5 {
		t.Fatalf("got %v, want 5 creates", got)
	}
	out := export(t, m)
	if out != settingsModel {
		t.Errorf("export differs from the applied file:\n%s", out)
	}
	for _, keys := range settingsSecrets {
		for _, v := range keys {
			if strings.Contains(out, v) {
				t.Errorf("export holds the secret value %q", v)
			}
		}
	}
	auth, err := m.Settings.Credentials.ForURL(ctx, "https://git.example.com/shop/app.git")
	if err != nil || auth == nil || auth.Token != "git-token-1" {
		t.Fatalf("got credential %v (%v), want the token from the secrets", auth, err)
	}

	// Without the secrets every setting keeps its stored secret and nothing changes.
	if got := actions(applyWith(t, m, settingsModel, model.Options{})); got[model.Unchanged] != 5 {
		t.Fatalf("got %v, want 5 unchanged", got)
	}
	if auth, _ := m.Settings.Credentials.ForURL(ctx, "https://git.example.com/shop/x"); auth.Token != "git-token-1" {
		t.Fatalf("got token %q, want the stored one kept", auth.Token)
	}

	// A changed secret value is an update of that setting only.
	changed := map[string]map[string]string{"git": {"token": "git-token-2"}}
	got := applyWith(t, m, settingsModel, model.Options{Secrets: changed})
	for _, c := range got {
		want := model.Unchanged
		if c.Kind == model.KindGitCredential {
			want = model.Update
		}
		if c.Action != want {
			t.Errorf("%s %s: got %s, want %s", c.Kind, c.Name, c.Action, want)
		}
	}
	if auth, _ := m.Settings.Credentials.ForURL(ctx, "https://git.example.com/shop/x"); auth.Token != "git-token-2" {
		t.Fatalf("got token %q, want git-token-2", auth.Token)
	}

	// A setting the file no longer declares is pruned like any entity.
	extra := settingsModel + "---\napiVersion: ladder/v1\nkind: NotificationChannel\nmetadata: {name: ops}\n" +
		"spec:\n  kind: webhook\n  urlRef: {name: ops, key: url}\n"
	applyWith(t, m, extra, model.Options{Secrets: map[string]map[string]string{"ops": {"url": "https://ops.example.com/hook"}}})
	if out := export(t, m); !strings.Contains(out, "metadata: {name: ops}") {
		t.Fatalf("got\n%s\nwant channel ops", out)
	}
	applyWith(t, m, settingsModel, model.Options{Prune: true})
	if out := export(t, m); out != settingsModel {
		t.Errorf("after a prune got\n%s\nwant\n%s", out, settingsModel)
	}
}

func TestANewSettingWithoutItsSecretIsAProblem(t *testing.T) {
	m := withSettings(t, newModel(t))
	doc := `apiVersion: ladder/v1
kind: ArgoCDServer
metadata: {name: stage-argocd}
spec: {url: "https://argocd.stage.example.com", tokenRef: {name: stage-argocd, key: token}}
`
	_, err := m.ApplyWith(context.Background(), strings.NewReader(doc), model.Options{})
	var invalid *model.Invalid
	if !errors.As(err, &invalid) || len(invalid.Problems) != 1 {
		t.Fatalf("got %v, want one problem", err)
	}
	p := invalid.Problems[0]
	if p.Field != "spec.tokenRef" || !strings.Contains(p.Message, "LADDER_SECRET_STAGE_ARGOCD_TOKEN") {
		t.Errorf("got %s, want spec.tokenRef naming the environment variable", p)
	}
	if out := export(t, m); out != "" {
		t.Errorf("got a model after a refused apply:\n%s", out)
	}

	// The environment variable supplies it.
	m.Secrets = func(k string) string {
		if k == "LADDER_SECRET_STAGE_ARGOCD_TOKEN" {
			return "from-env"
		}
		return ""
	}
	if got := actions(applyWith(t, m, doc, model.Options{})); got[model.Create] != 1 {
		t.Fatalf("got %v, want the server created", got)
	}
}

func TestASecretsFileReadsLikeKubernetesSecrets(t *testing.T) {
	got, err := model.ReadSecrets(strings.NewReader(`apiVersion: v1
kind: Secret
metadata: {name: git}
stringData: {token: plain}
---
apiVersion: v1
kind: Secret
metadata: {name: argocd}
data: {token: YmFzZTY0}
`))
	if err != nil {
		t.Fatal(err)
	}
	if got["git"]["token"] != "plain" || got["argocd"]["token"] != "base64" {
		t.Errorf("got %v, want git.token plain and argocd.token base64", got)
	}
	if _, err := model.ReadSecrets(strings.NewReader("kind: ConfigMap\nmetadata: {name: x}\n")); err == nil {
		t.Error("got no error for a document that is not a Secret")
	}
}

func TestANewChannelWithoutItsURLIsAProblemOfItsReference(t *testing.T) {
	m := withSettings(t, newModel(t))
	_, err := m.ApplyWith(context.Background(), strings.NewReader("apiVersion: ladder/v1\nkind: NotificationChannel\n"+
		"metadata: {name: team}\nspec: {kind: slack}\n"), model.Options{})
	var invalid *model.Invalid
	if !errors.As(err, &invalid) || invalid.Problems[0].Field != "spec.urlRef" {
		t.Fatalf("got %v, want a problem at spec.urlRef", err)
	}
}

func TestPruneRefusesTheCredentialOfTheModelRepository(t *testing.T) {
	m := withSettings(t, newModel(t))
	applyWith(t, m, settingsModel, model.Options{Secrets: settingsSecrets})
	second := "---\napiVersion: ladder/v1\nkind: GitCredential\nmetadata: {name: model-git}\n" +
		"spec: {urlPrefix: \"https://git.example.com/platform/\", kind: https, username: git, secretRef: {name: model-git, key: token}}\n"
	applyWith(t, m, settingsModel+second, model.Options{Secrets: map[string]map[string]string{"model-git": {"token": "t"}}})
	if err := db.New(m.DB).SetModelRepository(context.Background(), db.SetModelRepositoryParams{
		Url: "https://git.example.com/platform/model.git", Branch: "main", Credential: "model-git", UpdatedAt: time.Now().UTC()}); err != nil {
		t.Fatal(err)
	}
	_, err := m.ApplyWith(context.Background(), strings.NewReader(settingsModel), model.Options{Prune: true})
	var invalid *model.Invalid
	if !errors.As(err, &invalid) || !strings.Contains(invalid.Problems[0].Message, "used by the model repository") {
		t.Fatalf("got %v, want model-git refused as the model repository's credential", err)
	}
}
