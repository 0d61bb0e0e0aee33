package web_test

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestExportImportPage(t *testing.T) {
	fx := newAPIFixture(t)
	admin := caller{name: "admin", cookie: fx.srv.adminSession(t)}
	env := "apiVersion: ladder/v1\nkind: Environment\nmetadata: {name: dev}\nspec: {kind: non-production}\n"
	tests := []struct {
		name, yaml, dryRun string
		want               int
		testID             string
		envs               int
	}{
		{"an invalid file changes nothing", env + "---\napiVersion: ladder/v1\nkind: Environment\nmetadata: {name: prod}\nspec: {kind: live}\n", "", 422, `data-testid="problem-2"`, 0},
		{"an empty file", "  ", "", 422, `data-testid="apply-error"`, 0},
		{"a dry run lists the changes", env, "true", 200, `data-testid="change"`, 0},
		{"applying creates", env, "", 200, `data-testid="apply-changes"`, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest("POST", fx.srv.URL+"/settings/model", strings.NewReader(url.Values{"yaml": {tt.yaml}, "dryRun": {tt.dryRun}}.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("HX-Request", "true")
			req.AddCookie(admin.cookie)
			resp, err := noRedirects.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body bytes.Buffer
			_, _ = body.ReadFrom(resp.Body)
			if resp.StatusCode != tt.want || !strings.Contains(body.String(), tt.testID) {
				t.Errorf("got %d, want %d with %s", resp.StatusCode, tt.want, tt.testID)
			}
			if got := strings.Count(string(fx.must(t, "GET", "/api/v1/environments", "", 200)), `"name"`); got != tt.envs {
				t.Errorf("got %d environments, want %d", got, tt.envs)
			}
		})
	}
	if page := getPage(t, admin, fx.srv.URL+"/settings/model/export"); !strings.Contains(page, "kind: Environment") {
		t.Errorf("the download does not hold the model: %q", page)
	}
}
