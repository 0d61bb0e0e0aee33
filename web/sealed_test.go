package web

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"ladder/db"
	"ladder/internal/argocd"
	"ladder/internal/argowf"
	"ladder/internal/credential"
	"ladder/internal/fault"
	"ladder/internal/provider"
	"ladder/internal/secret"
)

// sealedPagesUnderTest are one kind's handlers, a valid form holding secret, and a form
// that is invalid only in field bad.
type sealedPagesUnderTest struct {
	name, id       string
	list, create   handlerFunc
	show, update   handlerFunc
	url            string
	good           url.Values
	secret, bad    string
	badValue, item string
}

func sealedKinds(t *testing.T) []sealedPagesUnderTest {
	t.Helper()
	conn, err := db.Open(context.Background(), filepath.Join(t.TempDir(), "ladder.db"))
	if err != nil {
		t.Fatalf("open db: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	box, err := secret.NewBox([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	check := fault.NewValidator()
	key := sshPrivateKey(t)
	return []sealedPagesUnderTest{
		kindUnderTest("argocd", argocdPages(argocd.NewService(conn, box, check, time.Now)), "prod",
			url.Values{"name": {"prod"}, "url": {"https://argocd.example.com"}, "token": {"argo-cd-secret-9f8e"}}, "argo-cd-secret-9f8e", "url", "not a url"),
		kindUnderTest("argowf", argoWorkflowsPages(argowf.NewService(conn, box, check, time.Now)), "checks",
			url.Values{"name": {"checks"}, "url": {"https://argo.example.com"}, "namespace": {"ci"}, "token": {"argo-wf-secret-7d6c"}}, "argo-wf-secret-7d6c", "namespace", "Not A Namespace"),
		kindUnderTest("credential", credentialPages(credential.NewService(conn, box, check, time.Now)), "deploy",
			url.Values{"name": {"deploy"}, "urlPrefix": {"ssh://git@git.example.com/"}, "kind": {"ssh"}, "privateKey": {key},
				"knownHosts": {knownHostsLine(t)}}, strings.Split(key, "\n")[1], "knownHosts", "not a host key"),
		kindUnderTest("provider", providerPages(provider.NewService(conn, box, check, time.Now)), "github",
			url.Values{"name": {"github"}, "kind": {"github"}, "urlPrefix": {"https://github.com/acme/"}, "token": {"ghp-secret-5b4a"},
				"webhookSecret": {"hook-secret-3c2d"}}, "ghp-secret-5b4a", "baseURL", "ftp://x"),
	}
}

func kindUnderTest[V, In any](id string, p sealedPages[V, In], item string, good url.Values, secretText, bad, badValue string) sealedPagesUnderTest {
	return sealedPagesUnderTest{name: p.kind.Title, id: id, list: listSealed(p), create: createSealed(p), show: showSealed(p),
		update: updateSealed(p), url: p.kind.URL, good: good, secret: secretText, bad: bad, badValue: badValue, item: item}
}

// TestSealedSettingsNeverShowSecrets walks each kind through create, list, show, an update
// that leaves the secret empty and a rejected update: every answer is right and none holds the
// secret.
func TestSealedSettingsNeverShowSecrets(t *testing.T) {
	for _, k := range sealedKinds(t) {
		t.Run(k.name, func(t *testing.T) {
			var bodies []string
			expect := func(want int, h handlerFunc, method, target string, form url.Values, name string) string {
				t.Helper()
				status, body := call(t, h, method, target, form, name, false)
				if status != want {
					t.Fatalf("%s %s: got status %d, want %d: %s", method, target, status, want, body)
				}
				bodies = append(bodies, body)
				return body
			}
			expect(http.StatusSeeOther, k.create, "POST", k.url, k.good, "")
			if row, ok := byTestID(expect(http.StatusOK, k.list, "GET", k.url, nil, ""), k.id+"-"+k.item); !ok || !strings.Contains(row, k.item) {
				t.Errorf("got row %q, want %s listed", row, k.item)
			}
			expect(http.StatusOK, k.show, "GET", k.url+"/"+k.item, nil, k.item)
			keep := url.Values{}
			for f, v := range k.good {
				keep[f] = v
			}
			for _, f := range []string{"token", "privateKey", "webhookSecret"} {
				keep.Del(f)
			}
			expect(http.StatusSeeOther, k.update, "POST", k.url+"/"+k.item, keep, k.item)
			bad := url.Values{}
			for f, v := range k.good {
				bad[f] = v
			}
			bad.Set(k.bad, k.badValue)
			body := expect(http.StatusUnprocessableEntity, k.update, "POST", k.url+"/"+k.item, bad, k.item)
			if msg, ok := byTestID(body, "error-"+k.bad); !ok || msg == "" {
				t.Errorf("got no error next to %s, want one", k.bad)
			}
			expect(http.StatusUnprocessableEntity, k.create, "POST", k.url, bad, "")
			for _, b := range bodies {
				if strings.Contains(b, k.secret) {
					t.Fatalf("a page shows the secret %q", k.secret)
				}
			}
		})
	}
}

func sshPrivateKey(t *testing.T) string {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "")
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(block))
}

func knownHostsLine(t *testing.T) string {
	t.Helper()
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	sshPub, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return knownhosts.Line([]string{"git.example.com"}, sshPub)
}
