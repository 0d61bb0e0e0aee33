package trigger_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"ladder/internal/audit"
	"ladder/internal/gitops"
	"ladder/internal/trigger"
)

// TestChangesStartReleases polls after commits of each kind: the first poll is the baseline and
// starts nothing; a change under the app path starts exactly one release through the first
// matching flow; a change elsewhere starts none; a change whose message a NotIn selector
// refuses starts none and is recorded in the audit log.
func TestChangesStartReleases(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	tr := w.trigger(time.Hour)
	tr.Poll(ctx)
	if n := len(w.list()); n != 0 {
		t.Fatalf("baseline poll started %d releases, want 0", n)
	}

	cases := []struct {
		name, file, message string
		wantFlow            string // "" : no release
	}{
		{"change under the path", "chart/Chart.yaml", "bump to 1.1.0", "dev-to-staging"},
		{"first matching flow wins", "chart/Chart.yaml", "hotfix: 1.1.1", "hotfix"},
		{"change outside the path", "README.md", "docs", ""},
		{"refused by a NotIn selector", "chart/Chart.yaml", "try 1.2.0 [skip]", ""},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := len(w.list())
			writeFile(t, w.dev, c.file, "apiVersion: v2\nname: shop\nappVersion: \"1.1."+string(rune('0'+i))+"\"\n")
			sha := commit(t, w.dev, c.message)
			tr.Poll(ctx)
			list := w.list()
			if c.wantFlow == "" {
				if len(list) != before {
					t.Fatalf("got %d releases, want %d (none started)", len(list), before)
				}
				return
			}
			if len(list) != before+1 {
				t.Fatalf("got %d releases, want %d (exactly one started)", len(list), before+1)
			}
			rel := list[0]
			if rel.Flow != c.wantFlow || rel.Initiator != trigger.Initiator || rel.Trigger.SHA != sha {
				t.Errorf("got flow %q, initiator %q, commit %s; want %q, auto, %s", rel.Flow, rel.Initiator, rel.Trigger.SHA, c.wantFlow, sha)
			}
			if rel.Trigger.Message != c.message+"\n" || !strings.Contains(rel.Trigger.Author, "dev@example.com") || rel.Trigger.Date == nil {
				t.Errorf("got trigger message %q, author %q, date %v; want the commit's", rel.Trigger.Message, rel.Trigger.Author, rel.Trigger.Date)
			}
			tr.Poll(ctx)
			if n := len(w.list()); n != before+1 {
				t.Errorf("a second poll made %d releases, want %d", n, before+1)
			}
		})
	}
	records, _, err := audit.NewLog(w.conn).Page(ctx, audit.Filter{Kind: "trigger"}, audit.Cursor{}, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(records) != 1 || !strings.Contains(records[0].Detail, "matched no flow of shop: try 1.2.0 [skip]") || records[0].Actor != "auto" {
		t.Errorf("got trigger records %+v, want one saying the [skip] commit matched no flow", records)
	}
}

// TestBaselineSurvivesRestart stops the trigger, commits, and starts a new one on the same
// database: the commit made while it was down starts a release.
func TestBaselineSurvivesRestart(t *testing.T) {
	w := newWorld(t)
	ctx, stop := context.WithCancel(context.Background())
	first := w.trigger(20 * time.Millisecond)
	done := make(chan struct{})
	go func() { first.Run(ctx); close(done) }()
	w.waitBaseline(10 * time.Second)
	stop()
	<-done
	if n := len(w.list()); n != 0 {
		t.Fatalf("got %d releases before any change, want 0", n)
	}
	writeFile(t, w.dev, "chart/Chart.yaml", "apiVersion: v2\nname: shop\nappVersion: \"2.0.0\"\n")
	sha := commit(t, w.dev, "bump to 2.0.0 while Ladder is down")

	ctx, stop = context.WithCancel(context.Background())
	defer stop()
	go w.trigger(time.Hour).Run(ctx)
	list := w.waitReleases(1, 10*time.Second)
	if list[0].Trigger.SHA != sha || list[0].Version != "2.0.0" {
		t.Errorf("got release at %s version %q, want %s version 2.0.0", list[0].Trigger.SHA, list[0].Version, sha)
	}
}

// TestWebhookWakesThePoller polls every hour, so only a verified push webhook can start the
// release in time; a push with a bad signature is refused.
func TestWebhookWakesThePoller(t *testing.T) {
	w := newWorld(t)
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	tr := w.trigger(time.Hour)
	go tr.Run(ctx)
	time.Sleep(300 * time.Millisecond) // the first poll stores the baseline
	writeFile(t, w.dev, "chart/Chart.yaml", "apiVersion: v2\nname: shop\nappVersion: \"3.0.0\"\n")
	commit(t, w.dev, "bump to 3.0.0")
	repoURL := "file://" + strings.TrimSuffix(git(t, w.dev, "remote", "get-url", "origin"), "/")
	body := []byte(`{"ref":"refs/heads/main","after":"abc","repository":{"clone_url":"` + repoURL + `"}}`)

	bad := http.Header{"X-Github-Event": {"push"}, "X-Hub-Signature-256": {"sha256=" + sign(body, "wrong")}}
	if _, err := tr.Receive(ctx, gitops.ProviderGitHub, bad, body, []string{webhookSecret}); !errors.Is(err, gitops.ErrBadSignature) {
		t.Fatalf("bad signature: got %v, want ErrBadSignature", err)
	}
	time.Sleep(200 * time.Millisecond)
	if n := len(w.list()); n != 0 {
		t.Fatalf("a refused webhook started %d releases, want 0", n)
	}
	good := http.Header{"X-Github-Event": {"push"}, "X-Hub-Signature-256": {"sha256=" + sign(body, webhookSecret)}}
	if _, err := tr.Receive(ctx, gitops.ProviderGitHub, good, body, []string{webhookSecret}); err != nil {
		t.Fatalf("good signature: %v", err)
	}
	w.waitReleases(1, 5*time.Second)
}

func sign(body []byte, secret string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return hex.EncodeToString(mac.Sum(nil))
}

// waitBaseline waits until the trigger has stored the head it watches from: a fixed sleep
// missed it on a busy machine.
func (w *world) waitBaseline(within time.Duration) {
	w.t.Helper()
	deadline := time.Now().Add(within)
	for {
		var n int
		if err := w.conn.QueryRow("SELECT COUNT(*) FROM watches WHERE head != ''").Scan(&n); err != nil {
			w.t.Fatal(err)
		}
		if n > 0 {
			return
		}
		if time.Now().After(deadline) {
			w.t.Fatal("the trigger stored no baseline")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
