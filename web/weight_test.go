package web_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"ladder/db"
	"ladder/internal/app"
	"ladder/internal/application"
	"ladder/internal/environment"
	"ladder/internal/fault"
	"ladder/internal/flow"
	"ladder/internal/pin"
	"ladder/internal/policy"
	"ladder/internal/product"
	"ladder/internal/release"
)

// pageBudget is the most a page may weigh with 50 rows, as sent to a browser (compressed).
const pageBudget = 30 * 1024

// dashboardCeiling is what the dashboard may weigh uncompressed with 50 products: more than
// pageBudget (74,299 bytes when this was written; docs/performance.md says what the bytes
// are), and this bound only keeps it from growing. The releases list keeps under pageBudget
// even uncompressed.
const dashboardCeiling = 76 * 1024

func TestPageWeight(t *testing.T) {
	srv := startTestServer(t, func(c *app.Config) { c.PollInterval = "1h" })
	conn, err := db.Open(context.Background(), filepath.Join(srv.DataDir, "ladder.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	names := seedFiftyProducts(t, conn)
	admin := caller{name: "admin", cookie: srv.adminSession(t)}

	dashboard := admin.page(t, srv.URL+"/")
	// What the seed puts on the dashboard is all there: every row's buttons, the cells' commit
	// and release links, the offers, pins, blockers and the gap.
	for pattern, want := range map[string]int{">" + names[49] + "</a>": 1, ">Trigger flow<": 50, ">Check Git now<": 50,
		`href="https://github\.com/acme/[a-z-]+-deploy/commit/`: 99, `href="/releases/`: 149, `>Promote [\d.]+<`: 30,
		`pinned at [\d.]+<`: 5, `>waiting for approval: 0 of 1 \(groups: sre\)<`: 8, `title="waiting for approval: 0 of 1 \(groups: sre\) — pre-action prod-gate, step sign-off"`: 8, "no application": 1, "> frozen<": 1} {
		if got := len(regexp.MustCompile(pattern).FindAllString(dashboard, -1)); got != want {
			t.Errorf("the dashboard shows %s %d times, want %d", pattern, got, want)
		}
	}
	list := admin.page(t, srv.URL+"/releases")
	if _, body, _ := strings.Cut(list, "<tbody>"); strings.Count(body, "<tr") != 50 {
		t.Errorf("the release list: got %d rows, want 50", strings.Count(body, "<tr"))
	}
	for _, p := range []struct {
		name, url, body string
		limit           int
	}{{"dashboard (50 products × 3 environments)", srv.URL + "/", dashboard, dashboardCeiling}, {"release list (50 rows)", srv.URL + "/releases", list, pageBudget}} {
		sent, page := admin.sent(t, p.url)
		if page != p.body {
			t.Errorf("%s: the compressed page reads back as %d other bytes", p.name, len(page))
		}
		t.Logf("%s: %d bytes (%.1f KB), %d bytes sent (%.1f KB)", p.name, len(p.body), float64(len(p.body))/1024, sent, float64(sent)/1024)
		if len(p.body) > p.limit {
			t.Errorf("%s: got %d bytes, want at most %d", p.name, len(p.body), p.limit)
		}
		if sent > pageBudget {
			t.Errorf("%s: %d bytes sent, want at most %d", p.name, sent, pageBudget)
		}
	}
}

// sent returns how many bytes a browser receives for the page at target: it asks for the
// page compressed, as browsers do, and the page read back from it.
func (c caller) sent(t *testing.T, target string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, target, nil)
	req.Header.Set("Accept-Encoding", "gzip, deflate, br")
	req.AddCookie(c.cookie)
	resp, err := noRedirects.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("GET %s: got %d, encoded %q; want 200 and gzip", target, resp.StatusCode, resp.Header.Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	page, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("GET %s: the compressed page does not read back: %v", target, err)
	}
	return len(body), string(page)
}

// seedFiftyProducts builds dev → staging → prod (prod frozen) and 50 products on flow main,
// each with an application in every environment but one, and their releases: one that
// reached every environment, a newer one that succeeded in staging and then succeeded, waits
// for approval in prod or still runs there, or, for every fourth product, a single promotion
// to staging (so prod may be promoted). Dev holds a newer version in Git for every third
// product; every tenth is pinned in prod. It returns the product names in dashboard order.
func seedFiftyProducts(t *testing.T, conn *sql.DB) []string {
	t.Helper()
	ctx, check, now := context.Background(), fault.NewValidator(), time.Now()
	envs := environment.NewService(conn, check, time.Now)
	for _, e := range []environment.Input{{Name: "dev", Kind: "non-production"}, {Name: "staging", Kind: "non-production"}, {Name: "prod", Kind: "production"}} {
		if _, err := envs.Create(ctx, e); err != nil {
			t.Fatalf("environment %s: %v", e.Name, err)
		}
	}
	if _, err := envs.Freeze(ctx, "prod", environment.FreezeInput{Reason: "end-of-year change freeze"}); err != nil {
		t.Fatal(err)
	}
	pols := policy.NewService(conn, check, time.Now)
	if _, err := pols.Create(ctx, policy.Input{Name: "commit-everywhere", Settings: policy.Settings{Action: "commit"}}); err != nil {
		t.Fatal(err)
	}
	_, err := flow.NewService(conn, check, time.Now, envs, pols).Create(ctx, flow.Input{Name: "main", TriggerEnvironment: "dev",
		Steps: []flow.Step{{Environment: "staging"}, {Environment: "prod", DependsOn: []string{"staging"}}}})
	if err != nil {
		t.Fatalf("flow: %v", err)
	}
	var names []string
	charts := map[string]string{}
	for _, domain := range []string{"accounts", "billing", "catalog", "checkout", "inventory", "orders", "payments", "search", "shipping", "users"} {
		for _, part := range []string{"api", "web", "worker", "gateway", "scheduler"} {
			name := domain + "-" + part
			names = append(names, name)
			i := len(names) - 1
			dev := fmt.Sprintf("1.%d.1", i)
			if i%3 == 0 {
				dev = fmt.Sprintf("1.%d.2", i)
			}
			charts["apps/"+name+"/Chart.yaml"] = "name: " + name + "\nappVersion: " + dev + "\n"
		}
	}
	devRepo := bareRepo(t, charts)
	prods, apps, pins := product.NewService(conn, check, time.Now), application.NewService(conn, check, time.Now), pin.NewService(conn, check, time.Now)
	tmpl := product.Template{VersionSource: product.VersionSource{File: "Chart.yaml", JSONPath: "$.appVersion"},
		Promotion: []product.Entry{{File: "Chart.yaml", JSONPaths: []string{"$.appVersion"}}}}
	for i, name := range names {
		if _, err := prods.Create(ctx, product.Input{Name: name, Concurrency: "queue", QueueLimit: 50, Template: tmpl,
			Flows: []product.FlowRef{{Flow: "main"}}}); err != nil {
			t.Fatalf("product %s: %v", name, err)
		}
		for _, env := range []string{"dev", "staging", "prod"} {
			if i == 7 && env == "staging" {
				continue // not deployed to staging
			}
			in := application.Input{Name: name + "-" + env, Environment: env, Product: name, RepoURL: devRepo, Branch: "main", Path: "apps/" + name}
			if env != "dev" {
				in.RepoURL, in.Path = "https://github.com/acme/"+name+"-deploy.git", env
			}
			if _, err := apps.Create(ctx, in); err != nil {
				t.Fatalf("application %s: %v", in.Name, err)
			}
		}
		seedReleases(t, conn, name, i, now)
		if i%10 == 3 {
			if _, err := pins.Set(ctx, pin.Input{Product: name, Environment: "prod", Version: fmt.Sprintf("1.%d.0", i),
				Reason: "holding for the partner's certification", By: "admin"}); err != nil {
				t.Fatalf("pin %s: %v", name, err)
			}
		}
	}
	return names
}

// seedRun is one release of a product as seedReleases stores it.
type seedRun struct {
	number          int64
	version, flow   string
	at              time.Time
	status, blocker string
	envs            []seedEnv // the trigger first
}

// seedEnv is one environment of a seeded release.
type seedEnv struct{ name, status, blocker string }

// seedReleases stores product number i's two releases (see seedFiftyProducts) through the
// queries the runner uses.
func seedReleases(t *testing.T, conn *sql.DB, name string, i int, now time.Time) {
	t.Helper()
	all := func() []seedEnv {
		if i == 7 {
			return []seedEnv{{"dev", release.Succeeded, ""}, {"prod", release.Succeeded, ""}}
		}
		return []seedEnv{{"dev", release.Succeeded, ""}, {"staging", release.Succeeded, ""}, {"prod", release.Succeeded, ""}}
	}
	first := seedRun{1, fmt.Sprintf("1.%d.0", i), "main", now.Add(-time.Duration(72+i) * time.Hour), release.Succeeded, "", all()}
	second := seedRun{2, fmt.Sprintf("1.%d.1", i), "main", now.Add(-time.Duration(180+i*7) * time.Minute), release.Succeeded, "", all()}
	last := len(second.envs) - 1
	switch {
	case i%4 == 1:
		second.flow, second.envs = "", second.envs[:2]
	case i%5 == 2:
		second.status = release.Suspended
		second.envs[last] = seedEnv{"prod", release.Suspended, "waiting for approval: 0 of 1 (groups: sre) — pre-action prod-gate, step sign-off"}
	case i%5 == 4:
		second.status = release.Running
		second.envs[last] = seedEnv{"prod", release.Running, "waiting for Argo CD to sync " + name + "-prod"}
	}
	err := db.InTx(context.Background(), conn, func(q *db.Queries) error {
		for _, r := range []seedRun{first, second} {
			if err := storeRun(q, name, i, r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("releases of %s: %v", name, err)
	}
}

// storeRun writes release r of product number i as the runner would have.
func storeRun(q *db.Queries, name string, i int, r seedRun) error {
	ctx := context.Background()
	id := release.NewID(r.at)
	plan, _ := json.Marshal(release.Plan{})
	err := q.CreateRelease(ctx, db.CreateReleaseParams{ID: id, Product: name, Number: r.number, Flow: r.flow, Version: r.version,
		TriggerEnv: "dev", SourceApp: name + "-dev", TriggerSha: fmt.Sprintf("%040x", int64(i)*1000+r.number),
		TriggerMessage: "Release " + r.version, TriggerAuthor: "ci", TriggerBranch: "main", Initiator: "auto",
		Status: r.status, Plan: string(plan), TimeoutMinutes: 1440, CreatedAt: r.at})
	if err != nil {
		return err
	}
	finished := sql.NullTime{Time: r.at.Add(20 * time.Minute), Valid: release.Final(r.status)}
	if err := q.SetReleaseStatus(ctx, db.SetReleaseStatusParams{Status: r.status, Blocker: r.blocker, ID: id,
		StartedAt: sql.NullTime{Time: r.at, Valid: true}, FinishedAt: finished}); err != nil {
		return err
	}
	for pos, e := range r.envs {
		deps, kind := "[]", "non-production"
		if pos > 0 {
			deps = `["` + r.envs[pos-1].name + `"]`
		}
		if e.name == "prod" {
			kind = "production"
		}
		if err := q.CreateReleaseEnvironment(ctx, db.CreateReleaseEnvironmentParams{ReleaseID: id, Product: name, Name: e.name,
			Position: int64(pos), IsTrigger: pos == 0, DependsOn: deps, Settings: "{}", Status: e.status, Kind: kind, Hooks: "{}"}); err != nil {
			return err
		}
		done := sql.NullTime{Time: r.at.Add(time.Duration(5*(pos+1)) * time.Minute), Valid: release.Final(e.status)}
		started := sql.NullTime{Time: r.at, Valid: true}
		if err := q.SetReleaseEnvironmentStatus(ctx, db.SetReleaseEnvironmentStatusParams{Status: e.status, Blocker: e.blocker,
			StartedAt: started, FinishedAt: done, ReleaseID: id, Name: e.name}); err != nil {
			return err
		}
		if pos == 0 {
			continue
		}
		app := db.CreateReleaseApplicationParams{ReleaseID: id, Environment: e.name, Name: name + "-" + e.name,
			RepoUrl: "https://github.com/acme/" + name + "-deploy.git", Branch: "main", Path: e.name, Phase: release.PhaseDone, Status: e.status}
		if err := q.CreateReleaseApplication(ctx, app); err != nil {
			return err
		}
		if !release.Final(e.status) {
			continue
		}
		if err := q.UpdateReleaseApplication(ctx, db.UpdateReleaseApplicationParams{Phase: release.PhaseDone, Status: e.status,
			CommitSha: fmt.Sprintf("%08x%032x", i*100+int(r.number)*10+pos, i), Result: "pushed", StartedAt: started, FinishedAt: done,
			ReleaseID: id, Environment: e.name, Name: app.Name}); err != nil {
			return err
		}
	}
	return nil
}
