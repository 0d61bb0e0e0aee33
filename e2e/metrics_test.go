package e2e

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"ladder/db"
	"ladder/internal/release"
)

// TestDeliveryMetrics opens a product's delivery metrics before anything reached production,
// where the page says what it will chart, and after weeks of promotions, where each chart's
// axes carry values and units.
func TestDeliveryMetrics(t *testing.T) {
	srv := startServer(t)
	page := newPageWith(t, srv, desktop)
	signInAsAdmin(t, page)
	addEnvironment(t, page, "dev", "non-production")
	addEnvironment(t, page, "prod", "production")
	addProduct(t, page, "shop")

	_, err := page.Goto("/products/shop/metrics")
	must(t, err, "open the metrics")
	empty := page.GetByTestId("metrics-empty")
	must(t, expect.Locator(empty).ToContainText("Once one does, this page charts week by week"), "the empty page says what will appear")
	must(t, expect.Locator(empty).ToContainText("Time to restore"), "naming every chart")
	shoot(t, page, "metrics-empty")

	seedHistory(t, srv.DataDir)
	_, err = page.Reload()
	must(t, err, "reload the metrics")
	freq := page.GetByTestId("metric-frequency")
	must(t, expect.Locator(freq.GetByTestId("figure-frequency")).ToContainText("in all"), "deployments counted")
	must(t, expect.Locator(freq.GetByTestId("unit-frequency")).ToHaveText("deployments per week"), "the axis says its unit")
	must(t, expect.Locator(freq.GetByTestId("tick-frequency")).ToHaveText([]string{"0", "1", "2"}), "the axis has values")
	must(t, expect.Locator(page.GetByTestId("tick-failure-rate")).ToHaveText([]string{"0%", "50%", "100%"}), "rates in percent")
	must(t, expect.Locator(page.GetByTestId("tick-lead-time").Last()).ToContainText(" h"), "times in the page's duration style")
	shoot(t, page, "metrics-charts")

	small := newPageWith(t, srv, phone)
	signInAsAdmin(t, small)
	_, err = small.Goto("/products/shop/metrics")
	must(t, err, "open the metrics on a phone")
	must(t, expect.Locator(small.GetByTestId("metric-time-to-restore")).ToBeVisible(), "charts on a phone")
	noSidewaysScroll(t, small, phone, "metrics on a phone")
	shoot(t, small, "metrics-phone")

	checked := newPageWith(t, srv, withoutCSP(desktop))
	signInAsAdmin(t, checked)
	_, err = checked.Goto("/products/shop/metrics")
	must(t, err, "open the metrics for axe-core")
	checkAccessibility(t, checked, "metrics with charts")
}

// seedHistory stores five weeks of finished promotions of shop into prod, two a week with
// every third one failing, as if they had run.
func seedHistory(t *testing.T, dataDir string) {
	t.Helper()
	conn, err := db.Open(context.Background(), filepath.Join(dataDir, "ladder.db"))
	must(t, err, "open the database")
	defer conn.Close()
	now := time.Now().UTC()
	for i := range 10 {
		created := now.AddDate(0, 0, -7*(i/2)).Add(-time.Duration(i%2+1) * 5 * time.Hour)
		status := "SUCCEEDED"
		if i%3 == 2 {
			status = "FAILED"
		}
		id := release.NewID(created)
		_, err := conn.Exec(`INSERT INTO releases (id, product, number, trigger_env, source_app, initiator, status, plan,
			created_at, trigger_date, finished_at) VALUES (?, 'shop', ?, 'dev', 'dev/shop', 'auto', ?, '{}', ?, ?, ?)`,
			id, 100+i, status, created, created.Add(-time.Duration(i+1)*30*time.Minute), created.Add(20*time.Minute))
		must(t, err, "store a release")
		_, err = conn.Exec(`INSERT INTO release_environments (release_id, name, position, is_trigger, status, finished_at)
			VALUES (?, 'prod', 1, 0, ?, ?)`, id, status, created.Add(20*time.Minute))
		must(t, err, "store its promotion into prod")
	}
}
