package app_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"ladder/db"
)

// TestPlanCommand: `ladder plan` prints each environment's settings with their origins, what
// runs there and the unified patch each target would get, and writes nothing: no release, no
// commit, and no clone in the data directory. A freeze window holding prod is reported.
func TestPlanCommand(t *testing.T) {
	dataDir := t.TempDir()
	dev, prod := bareRepo(t, "dev", "2.0.0"), bareRepo(t, "prod", "1.0.0")
	model := `apiVersion: ladder/v1
kind: Environment
metadata: {name: dev}
spec: {kind: non-production, position: 1}
---
apiVersion: ladder/v1
kind: Environment
metadata: {name: prod}
spec: {kind: production, position: 2}
---
apiVersion: ladder/v1
kind: PromotionPolicy
metadata: {name: default-commit}
spec: {priority: 0, settings: {action: commit}}
---
apiVersion: ladder/v1
kind: PromotionFlow
metadata: {name: dev-to-prod}
spec: {triggerEnvironment: dev, steps: [{environment: prod, dependsOn: [dev], soak: {after: 45m}}]}
---
apiVersion: ladder/v1
kind: Product
metadata: {name: shop}
spec:
  promotionTemplate:
    versionSource: {file: Chart.yaml, jsonPath: $.appVersion}
    promotion: [{file: Chart.yaml, jsonPaths: [$.appVersion]}]
  flows: [{flow: dev-to-prod}]
---
apiVersion: ladder/v1
kind: Application
metadata: {name: shop-dev}
spec: {environment: dev, product: shop, repoURL: "file://` + dev + `", branch: main}
---
apiVersion: ladder/v1
kind: Application
metadata: {name: shop-prod}
spec: {environment: prod, product: shop, repoURL: "file://` + prod + `", branch: main}
---
apiVersion: ladder/v1
kind: FreezeWindow
metadata: {name: always}
spec: {schedule: "0 0 * * *", duration: 24h, timeZone: UTC, environments: {names: [prod]}, product: shop, reason: release week}
`
	file := filepath.Join(t.TempDir(), "model.yaml")
	if err := os.WriteFile(file, []byte(model), 0o600); err != nil {
		t.Fatal(err)
	}
	runLadder(t, "apply", "-f", file, "--data", dataDir)
	before := gitOut(t, prod, "rev-parse", "main")

	out := runLadder(t, "plan", "--product", "shop", "--flow", "dev-to-prod", "--data", dataDir)
	for _, want := range []string{
		"Dry run of shop 2.0.0 through flow dev-to-prod: nothing was written.",
		"== prod (production), after dev",
		"action:      commit (from default-commit)",
		"SOAK: starts once dev ran the version for 45m\n",
		"-- shop-prod: file://" + prod + " main (path .) at " + before,
		"diff --git a/Chart.yaml b/Chart.yaml\n",
		"-appVersion: \"1.0.0\"\n+appVersion: \"2.0.0\"",
		"FROZEN: the release would wait here: frozen until ", " 00:00 UTC (release week)\n", // the window holding prod
	} {
		if !strings.Contains(out, want) {
			t.Errorf("ladder plan printed:\n%s\nwant it to contain %q", out, want)
		}
	}
	if after := gitOut(t, prod, "rev-parse", "main"); after != before {
		t.Errorf("ladder plan moved prod's main from %s to %s", before, after)
	}
	if _, err := os.Stat(filepath.Join(dataDir, "git")); !os.IsNotExist(err) {
		t.Errorf("ladder plan left clones in the data directory (%v)", err)
	}
	if n := countReleases(t, dataDir); n != 0 {
		t.Errorf("ladder plan left %d releases, want none", n)
	}
}

func gitOut(t *testing.T, dir string, args ...string) string {
	t.Helper()
	out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

// countReleases counts the rows of the releases table in dataDir's database.
func countReleases(t *testing.T, dataDir string) int {
	t.Helper()
	conn, err := db.Open(context.Background(), filepath.Join(dataDir, "ladder.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var n int
	if err := conn.QueryRow("SELECT COUNT(*) FROM releases").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
