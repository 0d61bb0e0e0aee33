package loadtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ladder/db"
	"ladder/internal/release"
)

// TestSoakSurvivesKill runs the ladder binary with a flow whose prod step soaks 12 s after
// staging, SIGKILLs it a moment into the soak, keeps it down for three quarters of the soak
// and starts it again on the same data directory. Prod must start no earlier than 12 s after
// staging's stored success (about 3 s after the restart), and well before a soak counted
// afresh from the restart could end (12 s after it): the restarted process measures from the
// stored time.
func TestSoakSurvivesKill(t *testing.T) {
	const soak = 12 * time.Second
	ctx := context.Background()
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	bin, m, token := crashSetup(t, dir, data, []string{"shop"})
	addr, err := FreeAddr()
	if err != nil {
		t.Fatal(err)
	}
	logFile, err := os.Create(filepath.Join(dir, "ladder.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	l := &Launcher{Command: []string{bin}, DataDir: data, Addr: addr, Log: logFile}
	srv, err := l.Start(ctx)
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	c := &Client{Base: srv.Base, Token: token}
	setSoak(t, c, "prod", soak.String())
	if err := m.Repos["shop"]["dev"].CommitVersion("1.0.1"); err != nil {
		t.Fatal(err)
	}
	id, err := c.StartRelease(ctx, "shop", FlowName)
	if err != nil {
		t.Fatal(err)
	}
	rel := waitRelease(t, data, id, "prod to soak", func(r release.Release) bool {
		e, _ := r.Environment("prod")
		return strings.HasPrefix(e.Blocker, "soaking: staging has run 1.0.1")
	})
	st, _ := rel.Environment("staging")
	succeeded := *st.FinishedAt
	if err := srv.Kill(); err != nil {
		t.Fatal(err)
	}

	time.Sleep(time.Until(succeeded.Add(soak * 3 / 4))) // down for three quarters of the soak
	restarted := time.Now()
	srv, err = l.Start(ctx)
	if err != nil {
		t.Fatalf("restart: %v", err)
	}
	defer srv.Stop(5 * time.Second)
	rel = waitRelease(t, data, id, "the release to succeed after the restart", func(r release.Release) bool { return release.Final(r.Status) })
	if rel.Status != release.Succeeded {
		t.Fatalf("got release %s (%s), want SUCCEEDED", rel.Status, rel.Error)
	}
	p, _ := rel.Environment("prod")
	if p.StartedAt == nil || p.StartedAt.Before(succeeded.Add(soak)) {
		t.Errorf("prod started at %v, want no earlier than %v (staging's success + %s)", p.StartedAt, succeeded.Add(soak), soak)
	}
	// Halfway between the right start (a quarter of the soak after the restart) and the
	// earliest a soak begun again at the restart could end.
	if limit := restarted.Add(soak * 5 / 8); p.StartedAt != nil && !p.StartedAt.Before(limit) {
		t.Errorf("prod started at %v, want before %v: the soak began again at the restart instead of going on from staging's success at %v",
			p.StartedAt, limit, succeeded)
	}
}

// setSoak gives the flow's step into env a soak time through the API, and checks the API
// answers with it.
func setSoak(t *testing.T, c *Client, env, after string) {
	t.Helper()
	var f map[string]any
	apiJSON(t, c, http.MethodGet, "/api/v1/flows/"+FlowName, nil, &f)
	for _, s := range f["steps"].([]any) {
		if step := s.(map[string]any); step["environment"] == env {
			step["soak"] = map[string]any{"after": after}
		}
	}
	var got struct {
		Steps []struct {
			Environment string
			Soak        *struct{ After string }
		}
	}
	apiJSON(t, c, http.MethodPut, "/api/v1/flows/"+FlowName, f, &got)
	for _, s := range got.Steps {
		if s.Environment == env && (s.Soak == nil || s.Soak.After != after) {
			t.Fatalf("got step %s soak %+v from the API, want after %s", env, s.Soak, after)
		}
	}
}

func apiJSON(t *testing.T, c *Client, method, path string, in, out any) {
	t.Helper()
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			t.Fatal(err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.Base+path, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		t.Fatalf("%s %s: got %d %s", method, path, resp.StatusCode, b)
	}
	if err := json.Unmarshal(b, out); err != nil {
		t.Fatalf("%s %s: %v in %s", method, path, err, b)
	}
}

// waitRelease polls release id in the data directory's database until cond holds.
func waitRelease(t *testing.T, data, id, what string, cond func(release.Release) bool) release.Release {
	t.Helper()
	conn, err := db.Open(context.Background(), filepath.Join(data, "ladder.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	rels := release.NewService(conn, nil, time.Now)
	deadline := time.Now().Add(60 * time.Second)
	for {
		r, err := rels.Get(context.Background(), id)
		if err == nil && cond(r) {
			return r
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s: %v %s", what, err, fmt.Sprint(r.Status, " ", r.Environments))
		}
		time.Sleep(50 * time.Millisecond)
	}
}
